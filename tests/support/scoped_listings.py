"""Hand-written listings, one per language we read, each with the same parts: a company blurb that names its own
stack (MongoDB), duties, requirements with a negated tool (Java) and an inline nice-to-have (Kafka, Looker),
and benefits that name a tool (AWS). Shared by the structure and the scope tests."""
from __future__ import annotations

from dataclasses import dataclass

from extraction.listings import Listing


@dataclass(frozen=True)
class Scoped:
    """One listing and the words its parts are expected to hold."""

    lang: str
    listing: Listing
    company: str  # words of the company blurb
    duties: str  # words of a duty
    required: str  # words of a requirement
    negation: str  # the negated requirement, as its scope should read
    preferred: str  # words of the nice-to-have part
    benefits: str  # words of the benefits

    @property
    def text(self) -> str:
        return self.listing.text()


def _listing(lang: str, title: str, company: str, description: str) -> Listing:
    return Listing(job_id=f"scoped-{lang}", description=description, title=title, company=company)


SCOPED = [
    Scoped("en", _listing("en", "Data Analyst", "Harbourline", """About us
Harbourline is a leading logistics company. Our platform runs on MongoDB.
What you'll do
- Build dashboards in Tableau
Requirements
- Strong SQL and Python
- No Java, Scala or data-engineering experience is required
- Kafka is a plus but not mandatory
What we offer
- Paid AWS certifications
We are an equal opportunity employer."""),
           "Our platform runs on MongoDB", "Build dashboards", "Strong SQL",
           "No Java, Scala or data-engineering experience is required", "Kafka is a plus", "Paid AWS"),
    Scoped("pt", _listing("pt", "Engenheiro(a) de Dados", "Tucano Seguros", """Sobre nós
A Tucano Seguros é uma seguradora fundada em 1990 e a nossa plataforma corre em MongoDB.
Responsabilidades
- Desenvolver pipelines em Tableau e Airflow
Requisitos
- SQL e Python
- Conhecimento de Java não é necessário
- Experiência com Kafka (diferencial)
Oferecemos
- Certificações AWS pagas"""),
           "plataforma corre em MongoDB", "Desenvolver pipelines", "SQL e Python",
           "Conhecimento de Java não é necessário", "Experiência com Kafka (diferencial", "Certificações AWS"),
    Scoped("de", _listing("de", "Data Engineer (m/w/d)", "Rheinwerk Logistik GmbH", """Über uns
Wir sind ein Logistikunternehmen aus Köln; unsere Plattform läuft auf MongoDB.
Deine Aufgaben
- Du entwickelst Pipelines mit Airflow
Dein Profil
- Sehr gute Kenntnisse in Python und SQL
- Java-Kenntnisse sind nicht erforderlich
- Erfahrung mit Kafka ist wünschenswert
Wir bieten
- 30 Tage Urlaub und AWS-Zertifizierungen"""),
           "Plattform läuft auf MongoDB", "Du entwickelst Pipelines", "Kenntnisse in Python",
           "Java-Kenntnisse sind nicht erforderlich", "Erfahrung mit Kafka ist wünschenswert", "AWS-Zertifizierungen"),
    Scoped("es", _listing("es", "Analista de Datos", "Viajes Albor", """Quiénes somos
Somos una agencia de viajes fundada en 1995; nuestra web funciona con MongoDB.
Funciones
- Crear informes en Tableau
Requisitos
- SQL avanzado y Python
- No se requiere experiencia con Java
- Se valorará experiencia con Kafka
Ofrecemos
- Formación en AWS"""),
           "web funciona con MongoDB", "Crear informes", "SQL avanzado", "No se requiere experiencia con Java",
           "Se valorará experiencia con Kafka", "Formación en AWS"),
    Scoped("fr", _listing("fr", "Data Engineer (H/F)", "Numeris Groupe", """Qui sommes-nous ?
Numeris est une ESN fondée en 2005 ; notre plateforme tourne sur MongoDB.
Vos missions
- Développer des pipelines Airflow
Profil recherché
- Maîtrise de SQL et Python
- La connaissance de Java n'est pas nécessaire
Les plus
- Kafka
Avantages
- Certifications AWS prises en charge"""),
           "plateforme tourne sur MongoDB", "Développer des pipelines", "Maîtrise de SQL",
           "La connaissance de Java n'est pas nécessaire", "Kafka", "Certifications AWS"),
    Scoped("it", _listing("it", "Data Engineer", "Lumen Assicurazioni", """Chi siamo
Siamo una compagnia assicurativa fondata nel 1980; il nostro CRM gira su MongoDB.
Responsabilità
- Sviluppare pipeline con Airflow
Requisiti
- Ottima conoscenza di SQL e Python
- La conoscenza di Java non è richiesta
- L'esperienza con Kafka costituisce un plus
Offriamo
- Corsi di formazione su AWS"""),
           "CRM gira su MongoDB", "Sviluppare pipeline", "conoscenza di SQL", "La conoscenza di Java non è richiesta",
           "L'esperienza con Kafka costituisce un plus", "formazione su AWS"),
    Scoped("nl", _listing("nl", "Data Engineer", "Domstad Zorggroep", """Over ons
Wij zijn een zorggroep opgericht in 1998; ons platform draait op MongoDB.
Wat ga je doen
- Pipelines bouwen met Airflow
Wat vragen wij
- Goede kennis van SQL en Python
- Kennis van Java is niet vereist
- Ervaring met Kafka is een pluspunt
Wat wij bieden
- Trainingen in AWS"""),
           "platform draait op MongoDB", "Pipelines bouwen", "kennis van SQL", "Kennis van Java is niet vereist",
           "Ervaring met Kafka is een pluspunt", "Trainingen in AWS"),
    Scoped("pl", _listing("pl", "Inżynier Danych", "Wisła Analytics", """O nas
Jesteśmy firmą analityczną założoną w 2010 roku; nasza platforma działa na MongoDB.
Obowiązki
- Budowa potoków danych w Airflow
Wymagania
- Bardzo dobra znajomość SQL i Python
- Znajomość języka Java nie jest wymagana
- Mile widziana znajomość Kafka
Oferujemy
- Szkolenia z AWS"""),
           "platforma działa na MongoDB", "Budowa potoków", "znajomość SQL", "Znajomość języka Java nie jest wymagana",
           "Mile widziana znajomość Kafka", "Szkolenia z AWS"),
]
