"""Typed views of botocore responses: PascalCase fields in, snake_case attributes out."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_pascal

#: For models (states included) parsed from a botocore response: frozen, fields named as
#: AWS names them (``PercentageComplete`` -> ``percentage_complete``), unknown fields
#: ignored so a service adding one does not break a wait.
AWS_RESPONSE: Final = ConfigDict(
    frozen=True, extra="ignore", alias_generator=to_pascal, populate_by_name=True
)


class AwsShape(BaseModel):
    """Base of a nested part of a botocore response (see :data:`AWS_RESPONSE`)."""

    model_config = AWS_RESPONSE
