"""The local endpoint's DynamoDB (moto with `isoflow.local.dynamodb` installed) behaves as DynamoDB does:
transactions all or nothing, Query pages in index order however items are written, items of every type read
back as written, and the item size limit kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from isoflow.local import dynamodb as local_dynamodb
from isoflow.local.dynamodb import queries
from isoflow.settings import Settings


@pytest.fixture
def dynamodb(aws: Settings) -> Iterator[Any]:
    """moto in-process, running the replacements as the local endpoint does while it serves a request."""
    local_dynamodb.install()
    with local_dynamodb.serving():
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


# Query: a table keyed like the scores table (partition + sort key) with an index keyed like the feed
# (shard + time). Items are written, changed and deleted at random; every Query, paged with a small Limit in
# both directions with and without a sort-key condition, must return exactly the items a model of the table
# says, in index order (ties broken by the table's keys), each once.

SHARDS = ["s0", "s1", "s2"]
Key = tuple[str, str]
KEYS = [(pk, f"k{i}") for pk in ("a", "b") for i in range(8)]


def create_indexed(client: Any) -> None:
    client.create_table(
        TableName="indexed",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": kind}
            for name, kind in (("pk", "S"), ("sk", "S"), ("shard", "S"), ("at", "N"))
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byShard",
                "KeySchema": [
                    {"AttributeName": "shard", "KeyType": "HASH"},
                    {"AttributeName": "at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def indexed(dynamodb: Any) -> Any:
    create_indexed(dynamodb)
    return dynamodb


def test_outside_the_local_endpoint_moto_runs_its_own_query(aws: Settings) -> None:
    local_dynamodb.install()
    client = boto3.client("dynamodb")
    create_indexed(client)
    client.put_item(
        TableName="indexed", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "shard": {"S": "s0"}, "at": {"N": "1"}}
    )
    table = dynamodb_backends[ACCOUNT_ID]["us-east-1"].get_table("indexed")
    request = {"TableName": "indexed", "IndexName": "byShard", "KeyConditionExpression": "shard = :s"}
    request["ExpressionAttributeValues"] = {":s": {"S": "s0"}}

    assert client.query(**request)["Count"] == 1
    assert table not in queries._indexes  # moto's Query read the table; no index was kept

    with local_dynamodb.serving():
        assert client.query(**request)["Count"] == 1
    assert "byShard" in queries._indexes[table]


def test_the_local_endpoint_serves_its_requests_with_the_replacements(local_aws: Any) -> None:
    client = boto3.client("dynamodb", endpoint_url=local_aws.url)
    create_indexed(client)
    client.put_item(
        TableName="indexed", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "shard": {"S": "s0"}, "at": {"N": "1"}}
    )

    page = client.query(
        TableName="indexed",
        IndexName="byShard",
        KeyConditionExpression="shard = :s",
        ExpressionAttributeValues={":s": {"S": "s0"}},
    )

    assert page["Count"] == 1
    assert "byShard" in queries._indexes[dynamodb_backends[ACCOUNT_ID]["us-east-1"].get_table("indexed")]


writes = st.lists(
    st.tuples(
        st.sampled_from(["put", "update", "remove-shard", "delete"]),
        st.sampled_from(KEYS),
        st.sampled_from(SHARDS),
        st.integers(min_value=0, max_value=5),  # few values, so index keys repeat and ties are ordered
    ),
    max_size=40,
)


def apply(client: Any, model: dict[Key, dict[str, Any]], op: str, key: Key, shard: str, at: int) -> None:
    pk, sk = key
    item_key = {"pk": {"S": pk}, "sk": {"S": sk}}
    if op == "put":
        client.put_item(TableName="indexed", Item={**item_key, "shard": {"S": shard}, "at": {"N": str(at)}})
        model[key] = {"shard": shard, "at": at}
    elif op == "update":
        client.update_item(
            TableName="indexed",
            Key=item_key,
            UpdateExpression="SET #shard = :s, #at = :a",
            ExpressionAttributeNames={"#shard": "shard", "#at": "at"},
            ExpressionAttributeValues={":s": {"S": shard}, ":a": {"N": str(at)}},
        )
        model[key] = {"shard": shard, "at": at}
    elif op == "remove-shard":
        if key in model:
            client.update_item(
                TableName="indexed",
                Key=item_key,
                UpdateExpression="REMOVE #shard",
                ExpressionAttributeNames={"#shard": "shard"},
            )
            model[key].pop("shard", None)
    else:
        client.delete_item(TableName="indexed", Key=item_key)
        model.pop(key, None)


def query_all(client: Any, **request: Any) -> list[Key]:
    keys: list[Key] = []
    for _ in range(len(KEYS) + 1):  # a page that doesn't move on would never end
        page = client.query(TableName="indexed", Limit=2, **request)
        keys += [(item["pk"]["S"], item["sk"]["S"]) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return keys
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    raise AssertionError(f"paging did not end: {keys}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=writes, after=writes, forward=st.booleans(), low=st.integers(0, 5))
def test_query_pages_follow_the_index_through_any_writes(
    indexed: Any, before: list, after: list, forward: bool, low: int
) -> None:
    for pk, sk in KEYS:  # each example starts from an empty table
        indexed.delete_item(TableName="indexed", Key={"pk": {"S": pk}, "sk": {"S": sk}})
    model: dict[Key, dict[str, Any]] = {}
    for op in before:
        apply(indexed, model, *op)
    query_all(
        indexed,
        IndexName="byShard",
        KeyConditionExpression="#shard = :s",
        ExpressionAttributeNames={"#shard": "shard"},
        ExpressionAttributeValues={":s": {"S": "s0"}},
    )
    for op in after:  # writes after the index was first read must move items in it
        apply(indexed, model, *op)

    for shard in SHARDS:
        expected = sorted(
            (key for key, item in model.items() if item.get("shard") == shard),
            key=lambda key: (model[key]["at"], key),
            reverse=not forward,
        )
        found = query_all(
            indexed,
            IndexName="byShard",
            KeyConditionExpression="#shard = :s",
            ExpressionAttributeNames={"#shard": "shard"},
            ExpressionAttributeValues={":s": {"S": shard}},
            ScanIndexForward=forward,
        )
        assert found == expected
        in_range = query_all(
            indexed,
            IndexName="byShard",
            KeyConditionExpression="#shard = :s AND #at BETWEEN :low AND :high",
            ExpressionAttributeNames={"#shard": "shard", "#at": "at"},
            ExpressionAttributeValues={":s": {"S": shard}, ":low": {"N": str(low)}, ":high": {"N": str(low + 2)}},
            ScanIndexForward=forward,
        )
        assert in_range == [key for key in expected if low <= model[key]["at"] <= low + 2]
    for pk in ("a", "b"):
        expected_keys = sorted((key for key in model if key[0] == pk), reverse=not forward)
        assert (
            query_all(
                indexed,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": pk}},
                ScanIndexForward=forward,
            )
            == expected_keys
        )


def test_query_applies_the_filter_after_the_limit_and_projects(indexed: Any) -> None:
    for i in range(6):
        indexed.put_item(
            TableName="indexed",
            Item={
                "pk": {"S": "a"},
                "sk": {"S": f"k{i}"},
                "shard": {"S": "s0"},
                "at": {"N": str(i)},
                "odd": {"BOOL": i % 2 == 1},
            },
        )
    page = indexed.query(
        TableName="indexed",
        IndexName="byShard",
        KeyConditionExpression="#shard = :s",
        ExpressionAttributeNames={"#shard": "shard"},
        FilterExpression="odd = :yes",
        ProjectionExpression="sk",
        ExpressionAttributeValues={":s": {"S": "s0"}, ":yes": {"BOOL": True}},
        Limit=4,
    )
    # DynamoDB reads Limit items, then filters: 4 read, 2 of them odd; the page says where to go on.
    assert page["Items"] == [{"sk": {"S": "k1"}}, {"sk": {"S": "k3"}}]
    assert (page["Count"], page["ScannedCount"]) == (2, 4)
    assert page["LastEvaluatedKey"]["sk"] == {"S": "k3"}


def test_items_of_every_type_read_back_as_written(dynamodb: Any) -> None:
    item = {
        "id": {"S": "every-type"},
        "n": {"N": "12.50"},
        "flag": {"BOOL": False},
        "nothing": {"NULL": True},
        "list": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"SS": ["p", "q"]}}}]},
        "numbers": {"NS": ["1", "2.5"]},
        "blob": {"B": b"\x00\xffbytes"},
        "blobs": {"BS": [b"\x01", b"\x02"]},
    }
    dynamodb.put_item(TableName="a", Item=item)
    stored = dynamodb.get_item(TableName="a", Key={"id": {"S": "every-type"}})["Item"]
    assert stored["blob"] == {"B": b"\x00\xffbytes"}
    assert sorted(stored["blobs"]["BS"]) == [b"\x01", b"\x02"]
    assert sorted(stored["numbers"]["NS"]) == ["1", "2.5"]
    assert {k: v for k, v in stored.items() if k not in ("blobs", "numbers")} == {
        k: v for k, v in item.items() if k not in ("blobs", "numbers")
    }
    page = dynamodb.scan(TableName="a")
    assert {i["id"]["S"] for i in page["Items"]} == {"x", "every-type"}


def test_an_item_over_the_size_limit_is_refused(dynamodb: Any) -> None:
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName="a", Item={"id": {"S": "big"}, "text": {"S": "x" * 410_000}})
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "Item" not in dynamodb.get_item(TableName="a", Key={"id": {"S": "big"}})


@pytest.mark.parametrize(
    "projection",
    [
        "n, flag, nothing",
        "flag, things, absent",
        "things[2].deep, n",
        "things[0]",
        "id",
        "doc.a, doc.b.c, n",
        "doc.b, doc.a",
        "doc.b.c, doc.b.d, doc.e",
        "doc.b.absent, doc.absent.c, n",
    ],
)
def test_projections_read_as_moto_reads_them(aws: Settings, projection: str) -> None:
    local_dynamodb.install()
    client = boto3.client("dynamodb")
    client.create_table(
        TableName="projected",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    item = {
        "id": {"S": "p"},
        "n": {"N": "12.50"},
        "flag": {"BOOL": False},
        "nothing": {"NULL": True},
        "things": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"SS": ["p"]}, "other": {"N": "2"}}}]},
        "blob": {"B": b"\x00\xff"},
        "doc": {"M": {"a": {"S": "x"}, "b": {"M": {"c": {"N": "1"}, "d": {"S": "y"}}}, "e": {"N": "3"}}},
    }
    client.put_item(TableName="projected", Item=item)
    request = {"TableName": "projected", "Key": {"id": {"S": "p"}}, "ProjectionExpression": projection}

    by_moto = client.get_item(**request)["Item"]
    with local_dynamodb.serving():
        assert client.get_item(**request)["Item"] == by_moto
        assert client.query(
            TableName="projected",
            KeyConditionExpression="id = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
            ProjectionExpression=projection,
        )["Items"] == [by_moto]


@pytest.mark.parametrize("projection_type", ["KEYS_ONLY", "INCLUDE"])
def test_an_index_projection_reads_as_moto_reads_it(aws: Settings, projection_type: str) -> None:
    local_dynamodb.install()
    client = boto3.client("dynamodb")
    projection: dict[str, Any] = {"ProjectionType": projection_type}
    if projection_type == "INCLUDE":
        projection["NonKeyAttributes"] = ["doc", "id"]  # a key named again
    client.create_table(
        TableName="by-n",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byN",
                "KeySchema": [{"AttributeName": "n", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
                "Projection": projection,
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.put_item(
        TableName="by-n",
        Item={"id": {"S": "p"}, "n": {"N": "1"}, "doc": {"M": {"a": {"S": "x"}}}, "other": {"S": "left out"}},
    )
    request = {
        "TableName": "by-n",
        "IndexName": "byN",
        "KeyConditionExpression": "n = :n",
        "ExpressionAttributeValues": {":n": {"N": "1"}},
    }

    by_moto = client.query(**request)["Items"]
    with local_dynamodb.serving():
        assert client.query(**request)["Items"] == by_moto
    assert "other" not in by_moto[0]
