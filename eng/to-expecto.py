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
        if is_test_attr(l):
            attrs = []
            while i < len(lines) and is_test_attr(lines[i]):
                attrs.append(lines[i].strip())
                i += 1
            m = TEST_LET.match(lines[i])
            if not m:
                raise SystemExit(f'{path}:{i + 1}: a test attribute not followed by let ``name`` (...) =: {lines[i]!r}')
            name, params = m.group('name'), m.group('params').strip()
            data = [a[len('[<InlineData('):a.index(')>]')] for a in attrs if a.startswith('[<InlineData(')]
            members = [a[len('[<MemberData(nameof '):-len(')>]')] for a in attrs if a.startswith('[<MemberData(nameof ')]
            if members:
                # rows of values for the parameters (one, or a tuple), named as xunit names them: name(p: v, q: w)
                pnames = [p.split(':')[0].strip() for p in params.split(',')]
                label = ' + ", " + '.join(f'"{pn}: " + GenDsl.Tests.Support.xunitArg row.[{k}]' for k, pn in enumerate(pnames))
                call = ', '.join(f'unbox row.[{k}]' for k in range(len(pnames)))
                for mem in members:
                    tests.append((None, f'yield! [ for row in {mem} -> Expecto.Tests.testCase ({fsharp_string(name + "(")} + {label} + ")") '
                                        f'(fun () -> ``{name}`` ({call})) ]', False))
            elif data:
                # one test per row, named as xunit names it: name(p: v) or name(p: v, q: w) for a tupled parameter list
                pnames = [p.split(':')[0].strip() for p in params.split(',')]
                for d in data:
                    vals = [v.strip() for v in d.split(',')] if len(pnames) > 1 else [d.strip()]
                    if len(vals) != len(pnames):
                        raise SystemExit(f'{path}:{i + 1}: InlineData({d}) does not fit the parameters ({params})')
                    label = ', '.join(f'{pn}: {display_value(v)}' for pn, v in zip(pnames, vals))
                    arg = '(' + ', '.join(vals) + ')' if len(vals) > 1 else vals[0]
                    tests.append((f'{name}({label})', f'(fun () -> ``{name}`` {arg})', '[<CudaFact>]' in attrs))
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
        if display is None:
            out.append(f'        {body}')
        elif cuda:
            out.append(f'        (if GenDsl.Torch.Torch.CudaIsAvailable then Expecto.Tests.testCase else Expecto.Tests.ptestCase) {fsharp_string(display)} {body}')
        else:
            out.append(f'        Expecto.Tests.testCase {fsharp_string(display)} {body}')
    out.append('    ]')
    out.append('')
    open(path, 'w', encoding='utf-8').write('\n'.join(out))
    return True


def is_test_attr(l):
    l = l.strip()
    return l in ('[<Fact>]', '[<Theory>]', '[<CudaFact>]') or l.startswith('[<InlineData(') or l.startswith('[<MemberData(nameof ')


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
