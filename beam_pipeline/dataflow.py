"""Checks for a Dataflow GPU submission, run before anything is created or submitted.

Each problem gets a line saying what to pass; all of them are reported at once.
"""
from __future__ import annotations

import argparse
import re

from apache_beam.options.pipeline_options import GoogleCloudOptions, PipelineOptions, StandardOptions, WorkerOptions


class DataflowConfigError(ValueError):
    """The options cannot make a working Dataflow GPU job."""


def is_dataflow(options: PipelineOptions) -> bool:
    return (options.view_as(StandardOptions).runner or "").lower() in ("dataflowrunner", "dataflow")


def dataflow_problems(args: argparse.Namespace, options: PipelineOptions) -> list[str]:
    gcp = options.view_as(GoogleCloudOptions)
    worker = options.view_as(WorkerOptions)
    problems = []
    if not gcp.project:
        problems.append("--project is required")
    if not gcp.region:
        problems.append("--region is required (a region with the GPU type, e.g. us-central1 for nvidia-l4)")
    for name in ("temp_location", "staging_location"):
        value = getattr(gcp, name)
        if not value or not value.startswith("gs://"):
            problems.append(f"--{name} must be a gs:// path")
    if not worker.sdk_container_image:
        problems.append("--sdk_container_image is required: the image built from this repo's Dockerfile")
    services = ";".join(gcp.dataflow_service_options or [])
    accelerator = re.search(r"worker_accelerator=type:([\w\-]+);count:(\d+)", services)
    if not accelerator:
        problems.append("--dataflow_service_options=worker_accelerator=type:nvidia-l4;count:1;"
                        "install-nvidia-driver:5xx is required for GPU workers")
    elif "install-nvidia-driver" not in services:
        problems.append("worker_accelerator needs install-nvidia-driver (e.g. ...;install-nvidia-driver:5xx)")
    if not worker.machine_type:
        problems.append("--machine_type is required, one that takes the GPU (e.g. g2-standard-8 for nvidia-l4)")
    elif accelerator and accelerator.group(1) == "nvidia-l4" and not worker.machine_type.startswith("g2-"):
        problems.append(f"--machine_type {worker.machine_type} cannot carry nvidia-l4; use a g2-standard-* type")
    if args.engine != "vllm":
        problems.append("--engine vllm is required on Dataflow GPU workers")
    if args.model == "embedded" or not (args.model.startswith("gs://") or re.fullmatch(r"[\w\-.]+/[\w\-.]+",
                                                                                         args.model)):
        problems.append("--model must be a gs:// folder (the merged model) or a hub id the workers can reach")
    if args.input and not args.input.startswith(("gs://", "bq://")):
        problems.append("--input must be gs:// or bq:// (workers cannot read this machine's files)")
    if not args.output.startswith(("gs://", "bq://")):
        problems.append("--output must be bq://PROJECT.DATASET or a gs:// folder")
    if args.output.startswith("bq://") and not (args.summary or "").startswith("gs://"):
        problems.append("--summary gs://.../run_summary.json is required with BigQuery output on Dataflow")
    return problems


def check_dataflow(args: argparse.Namespace, options: PipelineOptions) -> None:
    problems = dataflow_problems(args, options)
    if problems:
        raise DataflowConfigError("cannot submit to Dataflow:\n  - " + "\n  - ".join(problems))
