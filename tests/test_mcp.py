"""The MCP tool, called by the real `mcp` Python SDK client over streamable HTTP against `qa serve`'s app on loopback."""

import asyncio
import json

import pytest

from .server import Server


@pytest.fixture(scope="module")
def server(report_index, settings, encoder):
    with Server(settings.replace(index_dir=report_index)) as s:
        yield s


def call(url: str, fn):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async def run():
        async with streamablehttp_client(f"{url}/gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await fn(session)

    return asyncio.run(asyncio.wait_for(run(), 120))


def test_the_tool_is_listed_with_a_description_an_assistant_can_cite_from(server):
    tools = call(server.url, lambda s: s.list_tools()).tools
    assert [t.name for t in tools] == ["search_report", "list_documents"]
    tool = tools[0]
    assert "2.3(1)" in tool.description and "answered" in tool.description
    assert set(tool.inputSchema["properties"]) == {"question", "k", "doc", "previous"}


def test_calling_it_returns_the_answer_object_with_cites(server, retriever):
    from qa.schema import answer_json

    result = call(server.url, lambda s: s.call_tool("search_report", {"question": "非银行金融机构包括哪些类型？", "k": 2}))
    assert not result.isError
    body = json.loads(result.content[0].text)
    assert body == answer_json(retriever.ask("非银行金融机构包括哪些类型？", k=2))
    assert body["answered"] is True and body["hits"][0]["cite"].startswith("2.3(")
    off_topic = call(server.url, lambda s: s.call_tool("search_report", {"question": "今天天气怎么样？", "k": 1}))
    assert json.loads(off_topic.content[0].text)["answered"] is False
    follow_up = {"question": "那互联网金融呢？", "previous": "非银行金融机构包括哪些类型？", "k": 2}
    body = json.loads(call(server.url, lambda s: s.call_tool("search_report", follow_up)).content[0].text)
    assert body["searched"] == "互联网金融包括哪些类型？"
    assert body == answer_json(retriever.ask("那互联网金融呢？", k=2, previous="非银行金融机构包括哪些类型？"))
    unknown = call(server.url, lambda s: s.call_tool("search_report", {"question": "风险", "doc": "nope"}))
    assert "no document named 'nope'" in json.loads(unknown.content[0].text)["error"]


def test_the_documents_tool_names_what_the_doc_argument_takes(server, retriever):
    result = call(server.url, lambda s: s.call_tool("list_documents", {}))
    assert not result.isError
    body = json.loads(result.content[0].text)
    assert [(d["name"], d["title"]) for d in body["documents"]] == [
        ("qinghai_microfinance_report", "中国青海省小微金融行业市场发展现状及投资方向研究报告")
    ]
    assert body["passages"] == len(retriever.passages) == 37
