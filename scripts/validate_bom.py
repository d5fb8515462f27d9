"""Validates hf-lineage's AI-BOMs with the official libraries, offline.

    validate_bom.py cyclonedx FILE   CycloneDX 1.7: cyclonedx-python-lib's JsonStrictValidator
                                     (the bundled 1.7 schema, additional properties refused)
    validate_bom.py spdx FILE        SPDX 3.0.1: spdx-python-model's bindings load the JSON-LD
                                     (types, enums, links checked), and it serialises back
    validate_bom.py --check          exits 0 when both libraries can be imported

Prints "valid" and exits 0, or prints the errors and exits 1.
"""
import io
import sys


def check() -> int:
    from cyclonedx.schema import SchemaVersion  # noqa: F401
    from cyclonedx.validation.json import JsonStrictValidator  # noqa: F401
    from spdx_python_model import v3_0_1  # noqa: F401
    return 0


def cyclonedx(path: str) -> int:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    errors = JsonStrictValidator(SchemaVersion.V1_7).validate_str(open(path).read())
    if errors:
        print(f"invalid CycloneDX 1.7: {errors!r}")
        return 1
    print("valid")
    return 0


def spdx(path: str) -> int:
    from spdx_python_model import v3_0_1 as model

    objects = model.SHACLObjectSet()
    with open(path) as f:
        model.JSONLDDeserializer().read(f, objects)
    if objects.missing_ids:
        print(f"invalid SPDX 3.0.1: references to missing elements {sorted(objects.missing_ids)}")
        return 1
    out = io.BytesIO()
    model.JSONLDSerializer().write(objects, out)
    again = model.SHACLObjectSet()
    model.JSONLDDeserializer().read(io.StringIO(out.getvalue().decode()), again)
    if len(again.objects) != len(objects.objects):
        print("invalid SPDX 3.0.1: the round trip lost elements")
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    what, path = sys.argv[1], sys.argv[2]
    sys.exit(cyclonedx(path) if what == "cyclonedx" else spdx(path))
