"""Where Isoflow keeps its data: one DynamoDB table per `isoflow.tables` spec, the data bucket (run manifests,
batch results, persisted models) and the bucket that receives the other buckets' and CloudFront's access logs.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from isoflow.detection.files import RUNS_PREFIX
from isoflow.tables import ALL_TABLES, Key, TableSpec

# Longer than the 14 days after a run ends in which Step Functions redrives it, reading its manifest again.
RUN_FILES_KEPT = Duration.days(30)
_ATTRIBUTE_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _attribute(key: Key | None) -> dynamodb.Attribute | None:
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type]) if key else None


def private_bucket(scope: Construct, id: str, *, retain: bool, **props: object) -> s3.Bucket:
    """A bucket nobody reaches without IAM: encrypted, TLS only, no public access, no ACLs unless asked."""
    return s3.Bucket(
        scope,
        id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        # Without retention, `cdk destroy` has to empty the bucket before CloudFormation can delete it.
        auto_delete_objects=not retain,
        **props,  # type: ignore[arg-type]
    )


class Storage(Construct):
    def __init__(self, scope: Construct, id: str, *, retain_data: bool) -> None:
        """`retain_data` turns on deletion protection and keeps tables and data when the stack is deleted."""
        super().__init__(scope, id)
        self.tables: dict[str, dynamodb.Table] = {spec.env: self._table(spec, retain_data) for spec in ALL_TABLES}
        self.specs: dict[str, TableSpec] = {spec.env: spec for spec in ALL_TABLES}

        self.access_logs = private_bucket(
            self,
            "AccessLogs",
            retain=retain_data,
            # CloudFront's standard logs are delivered with ACLs; S3 server access logs use the bucket policy.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
        )
        self.data_bucket = private_bucket(
            self,
            "Data",
            retain=retain_data,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="data/",
            lifecycle_rules=[
                # Models are overwritten on every fit; old versions are only worth keeping for a while.
                s3.LifecycleRule(id="OldVersions", noncurrent_version_expiration=Duration.days(30)),
                # A run's files (its manifest, its batches' results and failures) serve the run and its redrives;
                # its summary stays in the runs table.
                s3.LifecycleRule(id="RunFiles", prefix=RUNS_PREFIX, expiration=RUN_FILES_KEPT),
                s3.LifecycleRule(id="RunFilesDeleted", prefix=RUNS_PREFIX, expired_object_delete_marker=True),
            ],
        )

    def _table(self, spec: TableSpec, retain: bool) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            spec.logical.capitalize(),
            partition_key=_attribute(spec.partition),
            sort_key=_attribute(spec.sort),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=retain,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            time_to_live_attribute=spec.ttl_attribute,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition),
                sort_key=_attribute(index.sort),
                projection_type=(
                    dynamodb.ProjectionType.ALL if index.projection is None else dynamodb.ProjectionType.INCLUDE
                ),
                non_key_attributes=list(index.projection) if index.projection else None,
            )
        return table

    def index_arns(self, env: str) -> list[str]:
        table = self.tables[env]
        return [f"{table.table_arn}/index/{index.name}" for index in self.specs[env].indexes]
