"""The model a Clarify job's shadow endpoint uses (named directly, or by a monitoring job's
endpoint), and whether it is in the job's VPC."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ... import keys
from ...logic import Fact
from ...model import Job, Model, ServingEndpoint
from ...values import Unknown
from ..calls import Call, job_calls
from ..index import display
from ..network import Resolver


def _job_model(job: Job, resolver: Resolver) -> Any:
    """The model a job's shadow endpoint uses, following a monitoring job's endpoint."""
    if job.model is not None:
        return job.model
    if job.serving_endpoint is None:
        return None
    if isinstance(job.serving_endpoint, Unknown):
        return Unknown(f"the job's endpoint is not known: {job.serving_endpoint.reason}")
    endpoint = resolver.index.find(job.serving_endpoint) or resolver.index.entities.get(
        keys.endpoint_name(str(job.serving_endpoint))
    )
    if not isinstance(endpoint, ServingEndpoint):
        return Unknown(
            f"endpoint {display(job.serving_endpoint, resolver.index)} is not in the inputs; add "
            "the template that defines it and its endpoint config"
        )
    config = resolver.index.find(endpoint.config) or resolver.index.entities.get(
        keys.endpoint_config_name(str(endpoint.config))
    )
    if not isinstance(config, ServingEndpoint) or not config.models:
        return Unknown(
            f"the endpoint config of endpoint {display(job.serving_endpoint, resolver.index)} is "
            "not in the inputs; add the template that defines it"
        )
    return config.models[0]


def find_model(ref: Any, resolver: Resolver) -> Any:
    entity = resolver.index.find(ref)
    if entity is None and isinstance(ref, str):
        entity = resolver.index.entities.get(keys.model_name(ref))
    return entity


def called_model(job: Job, resolver: Resolver) -> Optional[Model]:
    """The model the job calls, where the inputs define it (None: it calls none, or one not known)."""
    found = find_model(job.model, resolver) if job.model is not None else None
    return found if isinstance(found, Model) else None


def requests_of(job: Job, resolver: Resolver, with_model: bool = True) -> List[Call]:
    """The requests the job makes (``calls.job_calls``), with those of the model it calls or
    without, built once per run: every policy of a run asks of every job (9 policies and 106
    jobs built them 1,786 times, a fifth of judging 200 templates)."""
    model = called_model(job, resolver) if with_model else None
    key = (id(job), id(model))  # both live as long as the resolver: the run's network holds them
    found = resolver.job_calls.get(key)
    if found is None:
        found = resolver.job_calls[key] = job_calls(job, model, resolver.region)
    return found


def model_facts(job: Job, job_vpcs: Any, resolver: Resolver) -> Dict[str, Fact]:
    ref = None if job.existing_endpoint is True else _job_model(job, resolver)
    job.model = ref
    if ref is None:
        return {"model_linked": False, "model_in_vpc": False, "model_same_vpc": True}
    model = find_model(ref, resolver)
    if not isinstance(model, Model):
        missing = ref if isinstance(ref, Unknown) else resolver.index.ambiguity(ref)
        if missing is None:
            missing = Unknown(
                f"model {display(ref, resolver.index)} is not in the inputs; add the template or "
                "CreateModel JSON that defines it"
            )
        return {"model_linked": True, "model_in_vpc": missing, "model_same_vpc": missing}
    if model.has_vpc_config is not True:
        return {"model_linked": True, "model_in_vpc": model.has_vpc_config, "model_same_vpc": True}
    shared = isinstance(model.subnets, list) and isinstance(job.subnets, list)
    if shared and any(m == j for m in model.subnets for j in job.subnets):
        # a subnet is in one VPC: a model and job that share one share that VPC, known or not
        return {"model_linked": True, "model_in_vpc": True, "model_same_vpc": True}
    _, model_vpcs = resolver.network_of(model.subnets)
    if isinstance(model_vpcs, Unknown) or isinstance(job_vpcs, Unknown):
        unknown = model_vpcs if isinstance(model_vpcs, Unknown) else job_vpcs
        return {"model_linked": True, "model_in_vpc": True, "model_same_vpc": unknown}
    same = all(any(m is j for j in job_vpcs) for m in model_vpcs)
    return {"model_linked": True, "model_in_vpc": True, "model_same_vpc": same}
