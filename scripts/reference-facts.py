#!/usr/bin/env python3
"""Extracts the facts of the Zephr Admin API reference pages into spec/reference-facts.json.

Usage: scripts/reference-facts.py PAGES_DIR [OUT]

PAGES_DIR holds the reference pages as scraped Markdown (one file per operation page, named
after the page address: `zephr-api-reference_zephr-admin-api_operation_<id>.md` or
`..._tag_<group>_paths_<path>_<method>.md`). Each operation of spec/zephr-admin-api.json names
its page in `x-zephr-source`. The output holds facts only: per operation, the route, the
parameters (in, name, required, type, enum, default, const), the body (required, media type,
type, top-level fields) and the documented status codes. `cargo test -p zephr-codegen` checks
the spec against it.
"""
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TYPE_RE = re.compile(r"^(Array of [a-z]+|string|number|integer|boolean|object|any)")


def page_file(url):
    """The scraped file name of a reference page address."""
    tail = url.split("/zephr-api-reference/zephr-admin-api/", 1)[1].strip("/")
    name = "zephr-api-reference_zephr-admin-api_" + tail.replace("/", "_")
    name = name.replace("~", "-").replace("%", "-").lower()
    return name + ".md"


def scalar(text):
    """A Default value as JSON (numbers as numbers)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def row_facts(name_cell, type_cell):
    # A field may itself be called `required`; the marker is a suffix of the name.
    required = name_cell.endswith("required") and name_cell != "required"
    name = name_cell[: -len("required")] if required else name_cell
    m = TYPE_RE.match(type_cell)
    raw = m.group(1) if m else "unknown"
    ty = "array" if raw.startswith("Array of") else raw
    fact = {"name": name, "required": required, "type": ty}
    if ty == "array":
        item = raw[len("Array of "):]
        fact["items"] = {"strings": "string", "objects": "object", "numbers": "number",
                         "integers": "integer"}.get(item, item)
    enum = re.search(r'Enum: ((?:"[^"]*" ?)+)', type_cell)
    if enum:
        fact["enum"] = re.findall(r'"([^"]*)"', enum.group(1))
    const = re.search(r'Value: "([^"]*)"', type_cell)
    if const:
        fact["const"] = const.group(1)
    default = re.search(r"Default: (-?\d+(?:\.\d+)?|\"[^\"]*\"|true|false)", type_cell)
    if default:
        fact["default"] = scalar(default.group(1))
    return fact


def parse(text):
    lines = [l.rstrip() for l in text.splitlines()]
    params, body, responses, route = [], None, [], None
    section, i = None, 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^##### (path|query|header|cookie) Parameters$", line)
        if m:
            section = ("param", m.group(1))
        elif line.startswith("##### Request Body schema: "):
            section = ("body", None)
            body = {"required": False, "media": line.split(": ", 1)[1].strip(), "type": None,
                    "fields": []}
            # The lines up to the first table or the next section: `required`, the shape.
            j = i + 1
            while j < len(lines) and not lines[j].startswith(("|", "#####", "Responses")):
                word = lines[j].strip()
                if word == "required":
                    body["required"] = True
                elif word in ("object", "Array", "string") and body["type"] is None:
                    body["type"] = "array" if word == "Array" else word
                elif word == "One of:":
                    body["oneOf"] = True
                j += 1
        elif line == "Responses":
            section = ("responses", None)
        elif section and section[0] == "responses":
            if re.fullmatch(r"[1-5]\d\d", line.strip()):
                responses.append(line.strip())
            m = re.fullmatch(r"(get|post|put|patch|delete|head|options)(/\S*)",
                             line.strip().replace("\\_", "_"))
            if m:
                route = (m.group(1), m.group(2))
                section = None
        elif line.startswith("| ") and not line.startswith("| ---") and section:
            cells = [c.strip().replace("\\_", "_") for c in line.strip().strip("|").split(" | ")]
            if len(cells) >= 2:
                fact = row_facts(cells[0], " | ".join(cells[1:]))
                if section[0] == "param":
                    fact = {"in": section[1], **fact}
                    params.append(fact)
                elif section[0] == "body":
                    body["fields"].append(fact)
                    body["type"] = body["type"] or "object"
        i += 1
    if body is not None and not body["fields"]:
        del body["fields"]
    return route, params, body, responses


def main():
    pages = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "spec/reference-facts.json")
    spec = json.load(open(os.path.join(ROOT, "spec/zephr-admin-api.json")))
    facts = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            url = op.get("x-zephr-source")
            if not url:
                continue
            fname = os.path.join(pages, page_file(url))
            if not os.path.exists(fname):
                print(f"{op['operationId']}: no page {fname}", file=sys.stderr)
                continue
            route, params, body, responses = parse(open(fname, encoding="utf-8").read())
            facts.append({
                "operationId": op["operationId"],
                "source": url,
                "method": route[0] if route else None,
                "path": route[1] if route else None,
                "params": params,
                "body": body,
                "responses": responses,
            })
    facts.sort(key=lambda f: f["operationId"])
    doc = {
        "description": "Facts of the Zephr Admin API reference (version 2025-05-06), one record per operation page, extracted by scripts/reference-facts.py. Checked against spec/zephr-admin-api.json by `cargo test -p zephr-codegen`.",
        "operations": facts,
    }
    with open(out, "w", encoding="utf-8") as f:
        f.write(compact(doc) + "\n")
    print(f"{len(facts)} operations")


def compact(doc):
    """One operation per line: a small diff when a fact changes."""
    ops = ",\n    ".join(json.dumps(op, ensure_ascii=False) for op in doc["operations"])
    return ('{\n  "description": ' + json.dumps(doc["description"]) +
            ',\n  "operations": [\n    ' + ops + "\n  ]\n}")


if __name__ == "__main__":
    main()
