"""The CDK app: `cdk synth` / `cdk deploy` run this (see cdk.json)."""

from aws_cdk import App

from pipeline.stack import UnsupportedRegionError, add_to

app = App()
try:
    add_to(app)
except UnsupportedRegionError as error:
    raise SystemExit(f"error: {error}") from None
app.synth()
