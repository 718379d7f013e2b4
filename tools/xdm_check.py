#!/usr/bin/env python3
"""Validate XDM documents (wire format, as sent under `xdm` to the Edge) against the official
schemas in ../shared/xdm, and check that every field path exists in those schemas.

JSON Schema validation alone is not enough: the XDM schemas accept unknown `xdm:*` keys, so a
misspelled path would pass. The path check walks the document beside the schema and reports any
key the schema does not declare (tenant `_<tenant>` objects and identityMap namespaces excepted).

usage: xdm_check.py [--schemas DIR] FILE...
       xdm_check.py [--schemas DIR] --serve   (one JSON document per stdin line; one JSON list of
                                               problems per stdout line; used by xdm-relay-edge)
Each FILE holds one JSON document or a JSON list of documents. A document with `eventType` is an
ExperienceEvent (Commerce, person, personal-contact, and the storefront events' channel, web, visit
web page, user login, site search and reference keys field groups); one without is an Individual
Profile record (person, personal-contact, user-account and identityMap field groups).
Prints one line per problem; exits 0 when every document passes.
"""
import json
import os
import sys

from jsonschema import Draft6Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

EVENT_SCHEMAS = [
    "https://ns.adobe.com/xdm/context/experienceevent",
    "https://ns.adobe.com/xdm/context/experienceevent-commerce",
    "https://ns.adobe.com/xdm/context/profile-personal-details",
    "https://ns.adobe.com/xdm/context/profile-person-details",
    # The storefront events' field groups, as in Data Connection's storefront schema.
    "https://ns.adobe.com/xdm/context/experienceevent-channel",
    "https://ns.adobe.com/xdm/context/experienceevent-web",
    "https://ns.adobe.com/xdm/mixins/events/visit-webpage",
    "https://ns.adobe.com/xdm/mixins/experienceevent-user-login-details",
    "https://ns.adobe.com/xdm/mixins/experienceevent-site-search",
    "https://ns.adobe.com/xdm/mixins/experienceevent-reference-keys",
]
PROFILE_SCHEMAS = [
    "https://ns.adobe.com/xdm/context/profile",
    "https://ns.adobe.com/xdm/context/profile-person-details",
    "https://ns.adobe.com/xdm/context/profile-personal-details",
    "https://ns.adobe.com/xdm/mixins/profile/profile-user-account-details",
    "https://ns.adobe.com/xdm/context/identitymap",
    "https://ns.adobe.com/xdm/common/external-source-system-audit-details",
    "https://ns.adobe.com/xdm/mixins/profile-consents",
]
# Standard field groups our documents use that ../shared/xdm does not ship (see each file's $comment).
EXTRA_SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "xdm-extra")
TENANT_PREFIX = "https://ns.adobe.com/"


def load(schema_dir):
    schemas = {}
    for root in (schema_dir, EXTRA_SCHEMA_DIR):
        for d, _, files in os.walk(root):
            for f in files:
                if f.endswith(".schema.json"):
                    with open(os.path.join(d, f)) as fh:
                        s = json.load(fh)
                    schemas[s["$id"]] = s
    registry = Registry().with_resources(
        (i, Resource(contents=s, specification=DRAFT6)) for i, s in schemas.items())
    return schemas, registry


def to_ld(o, parent_key=None):
    """The one conversion the schemas need (same rules as shared/tools/xdm_validate.py)."""
    if isinstance(o, list):
        return [to_ld(x) for x in o]
    if not isinstance(o, dict):
        return o
    out = {}
    for k, v in o.items():
        if parent_key == "identityMap":
            out[k] = to_ld(v)
        elif k == "_id":
            out["@id"] = to_ld(v, k)
        elif k == "_type":
            out["@type"] = to_ld(v, k)
        elif k in ("_repo", "_schema") and isinstance(v, dict):
            for kk, vv in v.items():
                out[k[1:] + ":" + kk] = to_ld(vv)
        elif k.startswith("_") and isinstance(v, dict):
            for kk, vv in v.items():
                out[TENANT_PREFIX + k[1:] + "/" + kk] = vv
        else:
            out["xdm:" + k] = to_ld(v, k)
    return out


class PathChecker:
    def __init__(self, schemas):
        self.schemas = schemas

    def resolve(self, node, base):
        """Yields every schema object that applies to `node`, following $ref and allOf/anyOf/oneOf."""
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            ref = node["$ref"]
            target_id, _, pointer = ref.partition("#")
            target = self.schemas.get(target_id) if target_id else self.schemas.get(base)
            if target is None:
                raise KeyError("unresolved $ref " + ref)
            base = target_id or base
            for part in [p for p in pointer.split("/") if p]:
                target = target[part]
            yield from self.resolve(target, base)
        yield node, base
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, []):
                yield from self.resolve(sub, base)

    def check(self, doc, schema_nodes, path, problems):
        if isinstance(doc, list):
            items = [(n.get("items"), b) for n, b in schema_nodes if n.get("items")]
            for i, v in enumerate(doc):
                nodes = [r for it, b in items for r in self.resolve(it, b)]
                self.check(v, nodes, f"{path}[{i}]", problems)
            return
        if not isinstance(doc, dict):
            return
        props, open_map = {}, False
        for n, b in schema_nodes:
            for k, v in n.get("properties", {}).items():
                props.setdefault(k, []).append((v, b))
            if isinstance(n.get("additionalProperties"), dict) or n.get("patternProperties"):
                open_map = True
                extra = n.get("additionalProperties")
                if isinstance(extra, dict):
                    props.setdefault("*", []).append((extra, b))
        for k, v in doc.items():
            if k.startswith(TENANT_PREFIX):
                continue
            if k in props:
                subs = props[k]
            elif open_map:
                subs = props.get("*", [])
            else:
                problems.append(f"{path}/{k}: not a field of the schema")
                continue
            nodes = [r for s, b in subs for r in self.resolve(s, b)]
            self.check(v, nodes, f"{path}/{k}", problems)


def check_document(doc, schemas, registry):
    ids = EVENT_SCHEMAS if "eventType" in doc else PROFILE_SCHEMAS
    ld = to_ld(doc)
    composed = {"$schema": "http://json-schema.org/draft-06/schema#", "allOf": [{"$ref": i} for i in ids]}
    v = Draft6Validator(composed, registry=registry, format_checker=Draft6Validator.FORMAT_CHECKER)
    problems = [
        "/".join(str(p) for p in e.absolute_path) + ": " + e.message[:300]
        for e in v.iter_errors(ld)
    ]
    checker = PathChecker(schemas)
    nodes = [r for i in ids for r in checker.resolve({"$ref": i}, i)]
    checker.check(ld, nodes, "", problems)
    return problems


def main(argv):
    schema_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "xdm")
    schema_dir = os.environ.get("XDM_RELAY_SHARED") and os.path.join(os.environ["XDM_RELAY_SHARED"], "xdm") or schema_dir
    files = []
    serve = False
    it = iter(argv)
    for a in it:
        if a == "--schemas":
            schema_dir = next(it)
        elif a == "--serve":
            serve = True
        else:
            files.append(a)
    if serve:
        schemas, registry = load(schema_dir)
        for line in sys.stdin:
            try:
                problems = check_document(json.loads(line), schemas, registry)
            except Exception as e:  # a bad line must not stop the service
                problems = ["(document): " + str(e)[:300]]
            print(json.dumps(problems), flush=True)
        return 0
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    schemas, registry = load(schema_dir)
    if not schemas:
        print(f"no schemas found in {schema_dir}", file=sys.stderr)
        return 2
    failed = 0
    count = 0
    for f in files:
        with open(f) as fh:
            data = json.load(fh)
        docs = data if isinstance(data, list) else [data]
        for i, doc in enumerate(docs):
            count += 1
            for p in check_document(doc, schemas, registry):
                failed += 1
                print(f"{f}[{i}] {p}")
    print(f"checked {count} document(s), {failed} problem(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
