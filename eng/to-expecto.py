#!/usr/bin/env python3
"""to-expecto.py: turns xunit-style F# test modules ([<Fact>], [<Theory>] + [<InlineData>], [<CudaFact>]) into Expecto test values,
in place: each test function keeps its name and body, the attributes go, and the module ends with one [<Expecto.Tests>] list
naming them as xunit did. Used once to move tests/ to Expecto; run it on a test file written the old way.
Idempotent: a file with no xunit test attributes is left alone. usage: eng/to-expecto.py FILE..."""
import re, sys

TEST_LET = re.compile(r'^let ``(?P<name>[^`]+)`` \((?P<params>[^)]*)\)\s*(:\s*unit\s*)?=')


def fsharp_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def convert(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    module = None
    for l in lines:
        m = re.match(r'^module\s+([\w.]+)', l)
        if m:
            module = m.group(1)
            break
    if module is None:
        raise SystemExit(f'{path}: no module line')
    out, tests, pending = [], [], []
    i = 0
    while i < len(lines):
        l = lines[i]
        if l.strip() in ('[<Fact>]', '[<Theory>]', '[<CudaFact>]') or l.startswith('[<InlineData('):
            attrs = []
            while i < len(lines) and (lines[i].strip() in ('[<Fact>]', '[<Theory>]', '[<CudaFact>]') or lines[i].startswith('[<InlineData(')):
                attrs.append(lines[i].strip())
                i += 1
            m = TEST_LET.match(lines[i])
            if not m:
                raise SystemExit(f'{path}:{i + 1}: a test attribute not followed by let ``name`` (...) =: {lines[i]!r}')
            name, params = m.group('name'), m.group('params').strip()
            data = [a[len('[<InlineData('):-len(')>]')] for a in attrs if a.startswith('[<InlineData(')]
            if data:
                pname = params.split(':')[0].strip()
                for d in data:
                    tests.append((f'{name}({pname}: {display_value(d)})', f'(fun () -> ``{name}`` {d})', '[<CudaFact>]' in attrs))
            else:
                if params not in ('', '()'):
                    raise SystemExit(f'{path}:{i + 1}: a Fact with parameters: {lines[i]!r}')
                tests.append((name, f'``{name}``', '[<CudaFact>]' in attrs))
            continue
        out.append(l)
        i += 1
    if not tests:
        return False
    while out and out[-1].strip() == '':
        out.pop()
    out.append('')
    out.append('/// Every test of this module, as Expecto test values (named as the functions above).')
    out.append('[<Expecto.Tests>]')
    out.append('let tests =')
    out.append(f'    Expecto.Tests.testList {fsharp_string(module)} [')
    for display, body, cuda in tests:
        if cuda:
            out.append(f'        (if GenDsl.Torch.Torch.CudaIsAvailable then Expecto.Tests.testCase else Expecto.Tests.ptestCase) {fsharp_string(display)} {body}')
        else:
            out.append(f'        Expecto.Tests.testCase {fsharp_string(display)} {body}')
    out.append('    ]')
    out.append('')
    open(path, 'w', encoding='utf-8').write('\n'.join(out))
    return True


def display_value(d):
    """How xunit prints an InlineData value in a display name: enum members by their case name, strings quoted."""
    d = d.strip()
    if '.' in d and not d.startswith('"'):
        return d.split('.')[-1]
    return d


if __name__ == '__main__':
    n = 0
    for p in sys.argv[1:]:
        if convert(p):
            n += 1
    print(f'to_expecto: {n} file(s) converted')
