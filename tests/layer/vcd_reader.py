"""A small, strict reader of value change dumps (IEEE 1364 VCD), enough for gcasim's traces and for
what GTKWave's fst2vcd writes back. Module only; standard library only.

read_vcd(path) -> Vcd with
  timescale_ps  the time unit in picoseconds (e.g. 1 for "1 ps")
  vars          {full dotted name: (id code, width, type)}, e.g. "layer.head_0.busy"
  changes       {id code: [(time, value), ...]} in file order, every change as written (several at
                one time possible); value an int (x/z raise), times in the file's unit
Vcd.settled(name) -> [(time, value)]: the value each signal holds after each instant at which it
  changes (the last change at an instant wins; changes to the value already held are dropped);
  starts with the $dumpvars value at time 0.
Vcd.high_intervals(name) -> [(rise, fall)] of a 1-bit signal (fall None while still high at the end).
"""

_UNITS_PS = {"s": 10 ** 12, "ms": 10 ** 9, "us": 10 ** 6, "ns": 10 ** 3, "ps": 1, "fs": 10 ** -3}


class VcdError(Exception):
    pass


class Vcd:
    def __init__(self):
        self.timescale_ps = None
        self.vars = {}
        self.changes = {}
        self.end_time = 0

    def names(self):
        return set(self.vars)

    def settled(self, name):
        if name not in self.vars:
            raise VcdError(f"no signal {name!r} in the VCD")
        out = []
        for time, value in self.changes[self.vars[name][0]]:
            if out and out[-1][0] == time:
                out[-1] = (time, value)          # last change at one instant wins
            else:
                out.append((time, value))
        dedup = []
        for time, value in out:
            if not dedup or dedup[-1][1] != value:
                dedup.append((time, value))
        return dedup

    def high_intervals(self, name):
        if self.vars[name][1] != 1:
            raise VcdError(f"{name} is not a 1-bit signal")
        out, rise = [], None
        for time, value in self.settled(name):
            if value and rise is None:
                rise = time
            elif not value and rise is not None:
                out.append((rise, time))
                rise = None
        if rise is not None:
            out.append((rise, None))
        return out

    def value_at(self, name, time):
        """Settled value at `time` (after every change at that instant)."""
        value = None
        for t, v in self.settled(name):
            if t > time:
                break
            value = v
        return value


def _parse_value(text, what):
    if any(c in text for c in "xXzZ"):
        raise VcdError(f"{what}: value {text!r} has x/z bits (gcasim writes only 0/1)")
    try:
        return int(text, 2)
    except ValueError:
        raise VcdError(f"{what}: bad binary value {text!r}")


def read_vcd(path):
    with open(path) as f:
        text = f.read()
    vcd = Vcd()
    tokens = text.split()
    i, n, scope = 0, len(tokens), []
    ids = set()

    def until_end(start):
        j = start
        while j < n and tokens[j] != "$end":
            j += 1
        if j == n:
            raise VcdError(f"{path}: unterminated {tokens[start - 1]} section")
        return tokens[start:j], j + 1

    # ---- header
    while i < n:
        tok = tokens[i]
        if tok == "$enddefinitions":
            _, i = until_end(i + 1)
            break
        if tok in ("$date", "$version", "$comment"):
            _, i = until_end(i + 1)
        elif tok == "$timescale":
            body, i = until_end(i + 1)
            ts = "".join(body)
            num = ts.rstrip("afpnumsAFPNUMS")
            unit = ts[len(num):]
            if num not in ("1", "10", "100") or unit not in _UNITS_PS:
                raise VcdError(f"{path}: bad $timescale {' '.join(body)!r}")
            vcd.timescale_ps = int(num) * _UNITS_PS[unit]
        elif tok == "$scope":
            body, i = until_end(i + 1)
            if len(body) != 2:
                raise VcdError(f"{path}: bad $scope {body}")
            scope.append(body[1])
        elif tok == "$upscope":
            body, i = until_end(i + 1)
            if not scope:
                raise VcdError(f"{path}: $upscope without $scope")
            scope.pop()
        elif tok == "$var":
            body, i = until_end(i + 1)
            if len(body) not in (4, 5):
                raise VcdError(f"{path}: bad $var {body}")
            vtype, width, code, name = body[0], int(body[1]), body[2], body[3]
            full = ".".join(scope + [name])
            if full in vcd.vars:
                raise VcdError(f"{path}: signal {full} declared twice")
            vcd.vars[full] = (code, width, vtype)
            vcd.changes.setdefault(code, [])
            ids.add(code)
        else:
            raise VcdError(f"{path}: unexpected {tok!r} in the header")
    else:
        raise VcdError(f"{path}: no $enddefinitions")
    if scope:
        raise VcdError(f"{path}: {len(scope)} $scope(s) not closed: {scope}")
    if vcd.timescale_ps is None:
        raise VcdError(f"{path}: no $timescale")

    # ---- value changes
    time = None
    while i < n:
        tok = tokens[i]
        i += 1
        if tok[0] == "#":
            new = int(tok[1:])
            if time is not None and new < time:
                raise VcdError(f"{path}: time goes back from #{time} to #{new}")
            time = new
            vcd.end_time = new
        elif tok in ("$dumpvars", "$dumpall", "$dumpon", "$dumpoff", "$end"):
            continue
        elif tok[0] in "bB":
            if i >= n:
                raise VcdError(f"{path}: vector change {tok!r} without id")
            code = tokens[i]
            i += 1
            if code not in ids:
                raise VcdError(f"{path}: change of undeclared id {code!r}")
            if time is None:
                raise VcdError(f"{path}: value change before the first #time")
            vcd.changes[code].append((time, _parse_value(tok[1:], code)))
        elif tok[0] in "01xXzZ":
            code = tok[1:]
            if code not in ids:
                raise VcdError(f"{path}: change of undeclared id {code!r}")
            if time is None:
                raise VcdError(f"{path}: value change before the first #time")
            vcd.changes[code].append((time, _parse_value(tok[0], code)))
        else:
            raise VcdError(f"{path}: unexpected {tok!r} among the value changes")
    return vcd
