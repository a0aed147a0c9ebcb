"""Write the fake M3's field tables from Infor's published MI metadata (run from the repo root).

    python tools/m3_fields.py            # rewrite src/.../sandbox/infor/_generated/mi_fields.py
    python tools/m3_fields.py --check    # exit 1 if the committed module differs

Sources (all under ``../shared/specs/m3-reference/``, see its SOURCES.md):

- ``m3h5-mi-all.json`` and ``m3h5-mi.json``: every transaction's input fields (Required flag,
  C# type) and output fields (type, length), extracted from GaryWayneSmith/M3H5.
- ``mi-doc-facts.json``: input lengths and Required flags transcribed from developer.infor.com
  and docs.infor.com pages (OIS100MI AddBatchLine/AddBatchAddress/..., GLS840MI).
- ``crs610mi-v2-swagger-facts.json``: the ION API swagger of CRS610MI (input lengths).

Rules (SOURCES.md "Known limits"): a field is required if any source says so; an input's length
is the documented one for that transaction, else the longest documented length of the same
field in another transaction of the program, else the published *output* length of the same
field in the program (an M3 field has one length in its table), else unknown (0: unchecked).
Only the transactions the fake implements are written (:data:`TRANSACTIONS`), so the sandbox
can run without ``../shared``; ``tests/infor/test_generated_fields.py`` re-runs this and compares.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT.parent / "shared" / "specs" / "m3-reference"
TARGET = ROOT / "src" / "amazon_erp_bridge" / "sandbox" / "infor" / "_generated" / "mi_fields.py"

#: The MI transactions the fake M3 implements, by program.
TRANSACTIONS: dict[str, tuple[str, ...]] = {
    "CRS610MI": ("Add", "GetBasicData", "LstByNumber", "SearchCustomer"),
    "GLS840MI": ("AddBatchHead", "AddBatchLine", "CtrlBatch", "UpdBatch"),
    "MHS850MI": ("AddCfmPickList",),
    "MMS025MI": ("AddAlias", "GetItem", "LstAlias", "LstAliasViaCat"),
    "MMS200MI": ("Get", "GetItmBasic", "GetItmWhsBal"),
    "MWS411MI": ("LstDelLnByOrd",),
    "MWS420MI": ("Confirm",),
    "MWS423MI": ("AddPackage", "LstPackDel"),
    "OIS100MI": (
        "AddBatchAddress",
        "AddBatchHead",
        "AddBatchHeadChg",
        "AddBatchLine",
        "AddBatchLineChg",
        "AddBatchText",
        "CloLine",
        "Confirm",
        "DelBatchHead",
        "DelLine",
        "GetAddress",
        "GetBatchHead",
        "GetHead",
        "GetLine",
        "GetOrderNo",
        "LstBatchHead",
        "LstBatchLine",
        "LstErrMsgOrder",
        "LstHead",
        "LstLine",
    ),
    "OIS350MI": ("GetInvHead", "LstInvHeadByCo", "LstInvLine"),
    "OIS390MI": ("AddHead", "AddLine", "GetHead", "LstLine", "SelOpenLine"),
}


def _kind(csharp_or_doc_type: str) -> str:
    t = csharp_or_doc_type.rstrip("?").lower()
    if t in ("int", "long", "decimal", "number", "double"):
        return "n"
    if t == "datetime":
        return "d"
    return "s"


def load(specs: Path = SPECS) -> dict[str, dict[str, dict[str, Any]]]:
    """Every program's transactions: {program: {transaction: {"inputs", "outputs"}}}."""
    programs: dict[str, dict[str, dict[str, Any]]] = {}
    for name in ("m3h5-mi.json", "m3h5-mi-all.json"):
        data = json.loads((specs / name).read_text(encoding="utf-8"))["programs"]
        for program, transactions in data.items():
            programs.setdefault(program, {}).update(transactions)
    docs = json.loads((specs / "mi-doc-facts.json").read_text(encoding="utf-8"))["transactions"]
    swagger = json.loads((specs / "crs610mi-v2-swagger-facts.json").read_text(encoding="utf-8"))
    documented: dict[str, dict[str, dict[str, Any]]] = {}
    for key, fact in docs.items():
        program, transaction = key.split("/")
        documented.setdefault(program, {})[transaction] = fact["inputs"]
    for transaction, fact in swagger["transactions"].items():
        documented.setdefault("CRS610MI", {})[transaction] = fact["inputs"]
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for program, transactions in programs.items():
        docs_of = documented.get(program, {})
        longest: dict[str, int] = {}
        for inputs in docs_of.values():
            for field, fact in inputs.items():
                if fact.get("length"):
                    longest[field] = max(longest.get(field, 0), int(fact["length"]))
        output_length: dict[str, int] = {}
        for spec in transactions.values():
            for field, fact in (spec.get("outputs") or {}).items():
                output_length[field] = max(output_length.get(field, 0), int(fact["length"]))
        for transaction, spec in transactions.items():
            doc = docs_of.get(transaction, {})
            inputs: dict[str, tuple[str, int, bool]] = {}
            for field in sorted({*spec["inputs"], *doc}):
                meta = spec["inputs"].get(field, {})
                fact = doc.get(field, {})
                kind = _kind(meta.get("type") or fact.get("type") or "string")
                length = int(
                    fact.get("length") or longest.get(field) or output_length.get(field) or 0
                )
                required = bool(meta.get("required")) or bool(fact.get("required"))
                inputs[field] = (kind, length, required)
            outputs = spec.get("outputs")
            out.setdefault(program, {})[transaction] = {
                "inputs": inputs,
                "outputs": None if outputs is None else tuple(sorted(outputs)),
            }
    return out


def render(specs: Path = SPECS) -> str:
    """The generated module's text."""
    every = load(specs)
    inputs: dict[str, dict[str, dict[str, tuple[str, int, bool]]]] = {}
    outputs: dict[str, dict[str, tuple[str, ...] | None]] = {}
    for program, names in TRANSACTIONS.items():
        for name in names:
            spec = every[program][name]
            inputs.setdefault(program, {})[name] = spec["inputs"]
            outputs.setdefault(program, {})[name] = spec["outputs"]
    header = (
        '"""Field tables of the MI transactions the fake M3 implements. GENERATED: do not edit.\n\n'
        "Written by tools/m3_fields.py from ../shared/specs/m3-reference/ (m3h5-mi.json,\n"
        "m3h5-mi-all.json, mi-doc-facts.json, crs610mi-v2-swagger-facts.json; see SOURCES.md).\n"
        "INPUTS: program -> transaction -> field -> (kind, length, required); kind 's' text,\n"
        "'n' number, 'd' date (YYYYMMDD); length 0: no published length. OUTPUTS: the published\n"
        'output fields (None: the transaction returns no record)."""\n\n'
    )
    lines = ["INPUTS: dict[str, dict[str, dict[str, tuple[str, int, bool]]]] = {"]
    for program in sorted(inputs):
        lines.append(f'    "{program}": {{')
        for name in sorted(inputs[program]):
            lines.append(f'        "{name}": {{')
            for field, (kind, length, required) in sorted(inputs[program][name].items()):
                lines.append(f'            "{field}": ("{kind}", {length}, {required}),')
            lines.append("        },")
        lines.append("    },")
    lines.append("}")
    lines.append("")
    lines.append("OUTPUTS: dict[str, dict[str, tuple[str, ...] | None]] = {")
    for program in sorted(outputs):
        lines.append(f'    "{program}": {{')
        for name in sorted(outputs[program]):
            names = outputs[program][name]
            if names is None:
                lines.append(f'        "{name}": None,')
                continue
            if len(names) == 1:
                lines.append(f'        "{name}": ("{names[0]}",),')
                continue
            lines.append(f'        "{name}": (')
            lines.extend(f'            "{field}",' for field in names)
            lines.append("        ),")
        lines.append("    },")
    lines.append("}")
    body = "\n".join(lines) + "\n"
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python tools/m3_fields.py", file=sys.stderr)
            return 1
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    (TARGET.parent / "__init__.py").touch()
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
