"""The CDK app: `cdk synth` / `cdk deploy` run this (see cdk.json)."""

from aws_cdk import App

from pipeline.stack import add_to

app = App()
add_to(app)
app.synth()
