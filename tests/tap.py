"""The result lines of the Python test suites: "ok - NAME", "not ok - NAME"
(with the detail inline, or as "#   " lines when it has several), "# skip -
NAME: WHY", and the counts each suite ends with ("PREFIX: N passed, N
failed"), which tests/run.sh adds up."""

import sys

passed = failed = skipped = 0


def check(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        lines = str(detail).splitlines()
        if len(lines) > 1:
            print(f"not ok - {name}")
            for line in lines[-12:]:
                print(f"#   {line}")
        else:
            print(f"not ok - {name}" + (f": {detail}" if detail else ""))
    sys.stdout.flush()
    return ok


def skip(name, why):
    global skipped
    skipped += 1
    print(f"# skip - {name}: {why}")
    sys.stdout.flush()


def summary(prefix):
    """the last line of a suite; its exit status"""
    print(f"{prefix}: {passed} passed, {failed} failed" + (f" ({skipped} skipped)" if skipped else ""))
    return 1 if failed else 0
