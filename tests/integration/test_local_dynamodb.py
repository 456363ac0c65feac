"""The local endpoint's TransactWriteItems: all or nothing, like DynamoDB's, whatever the table size."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from isoflow.local import dynamodb_transactions


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    dynamodb_transactions.install()
    with mock_aws():
        client = boto3.client("dynamodb")
        for table in ("a", "b"):
            client.create_table(
                TableName=table,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        client.put_item(TableName="a", Item={"id": {"S": "x"}, "n": {"N": "1"}})
        yield client


def put(table: str, key: str, condition: str | None = None) -> dict:
    action: dict[str, Any] = {"TableName": table, "Item": {"id": {"S": key}, "n": {"N": "5"}}}
    if condition:
        action["ConditionExpression"] = condition
    return {"Put": action}


def test_all_actions_apply_when_every_condition_holds(dynamodb: Any) -> None:
    dynamodb.transact_write_items(
        TransactItems=[
            put("b", "y", "attribute_not_exists(id)"),
            {
                "Update": {
                    "TableName": "a",
                    "Key": {"id": {"S": "x"}},
                    "UpdateExpression": "SET n = n + :one",
                    "ConditionExpression": "n = :n",
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":n": {"N": "1"}},
                }
            },
        ]
    )
    assert dynamodb.get_item(TableName="a", Key={"id": {"S": "x"}})["Item"]["n"] == {"N": "2"}
    assert "Item" in dynamodb.get_item(TableName="b", Key={"id": {"S": "y"}})


def test_one_failed_condition_writes_nothing_and_names_the_action(dynamodb: Any) -> None:
    with pytest.raises(ClientError) as failure:
        dynamodb.transact_write_items(
            TransactItems=[
                put("b", "y"),
                {"Delete": {"TableName": "a", "Key": {"id": {"S": "x"}}}},
                put("a", "x", "attribute_not_exists(id)"),
            ]
        )
    # Two actions on one item is refused outright; a failed condition cancels with a reason per action.
    assert failure.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as failure:
        dynamodb.transact_write_items(TransactItems=[put("b", "y"), put("a", "x", "attribute_not_exists(id)")])
    assert failure.value.response["Error"]["Code"] == "TransactionCanceledException"
    codes = [r["Code"] for r in failure.value.response["CancellationReasons"]]
    assert codes == ["None", "ConditionalCheckFailed"]
    assert "Item" not in dynamodb.get_item(TableName="b", Key={"id": {"S": "y"}})
    assert dynamodb.get_item(TableName="a", Key={"id": {"S": "x"}})["Item"]["n"] == {"N": "1"}


def test_a_refused_write_puts_back_what_was_already_written(dynamodb: Any) -> None:
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(
            TransactItems=[
                put("b", "y"),
                {
                    "Update": {
                        "TableName": "a",
                        "Key": {"id": {"S": "x"}},
                        "UpdateExpression": "SET n = n + :text",
                        "ExpressionAttributeValues": {":text": {"S": "not a number"}},
                    }
                },
            ]
        )
    assert "Item" not in dynamodb.get_item(TableName="b", Key={"id": {"S": "y"}})
    assert dynamodb.get_item(TableName="a", Key={"id": {"S": "x"}})["Item"]["n"] == {"N": "1"}
