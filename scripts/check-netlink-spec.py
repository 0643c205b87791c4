#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Check that a YNL generic netlink spec and its hand-written uapi header
# agree: every attribute, command, multicast group and definition of the
# spec must be in the header under the C name YNL would give it, with the
# same value, and the header's enums must hold nothing the spec lacks
# (beyond the UNSPEC entry at 0 and the __MAX / MAX entries).
#
#   scripts/check-netlink-spec.py [SPEC [HEADER]]
#
# Defaults: uapi/fastipc.yaml and uapi/linux/fastipc_netlink.h.  Definitions
# the spec takes from another header ("header: linux/fastipc.h") are looked
# up under the include directory, by default uapi/.
#
# Python 3 standard library only: the spec is read by the small parser below,
# which knows the block style YNL specs are written in (mappings, "-"
# sequences, one-line [ flow, sequences ], "|" and ">" block scalars, plain
# and quoted scalars, comments) and refuses anything else (anchors, aliases,
# tags, flow mappings) rather than misread it.  Exit status: 0 if they agree,
# 1 on a mismatch, 2 if a file cannot be read or parsed.

import argparse
import ast
import os
import re
import sys


class SpecError(Exception):
    pass


# --- A YAML subset ---------------------------------------------------------

def _strip_comment(text):
    """@text without a trailing comment (a # at the start or after a blank)."""
    quote = None
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = None
        elif c in '\'"' and (i == 0 or text[i - 1] in ' [,'):
            # A quote opens a scalar only where a scalar may start.
            quote = c
        elif c == '#' and (i == 0 or text[i - 1] in ' \t'):
            return text[:i].rstrip()
    return text.rstrip()


def _scalar(text, where):
    text = text.strip()
    if not text:
        return None
    if text[0] in '&*!{|>' or text.startswith('? '):
        raise SpecError(f'{where}: unsupported YAML: {text}')
    if text[0] == '[':
        if not text.endswith(']'):
            raise SpecError(f'{where}: a flow sequence must end on its line')
        inner = text[1:-1].strip()
        if '[' in inner or '{' in inner:
            raise SpecError(f'{where}: nested flow collections are not supported')
        return [_scalar(item, where) for item in inner.split(',')] if inner else []
    if text[0] in '\'"':
        if len(text) < 2 or text[-1] != text[0]:
            raise SpecError(f'{where}: unterminated quoted scalar')
        body = text[1:-1]
        if text[0] == '"':
            return body.encode().decode('unicode_escape')
        return body.replace("''", "'")
    if text in ('null', '~', 'Null', 'NULL'):
        return None
    if text in ('true', 'True', 'TRUE'):
        return True
    if text in ('false', 'False', 'FALSE'):
        return False
    if re.fullmatch(r'[-+]?(0|[1-9][0-9]*)', text):
        return int(text)
    if re.fullmatch(r'0x[0-9a-fA-F]+', text):
        return int(text, 16)
    return text


class _Yaml:
    """Parses the YAML subset described above into dicts, lists, scalars."""

    KEY = r'([^\'"\[\]{}#:]+?)\s*:(?:\s+(.*))?$'	# "key: value", "key:"

    def __init__(self, text, path):
        self.raw = text.split('\n')
        self.path = path
        # (indent, content, line number) of every line that says something.
        self.lines = []
        for n, line in enumerate(self.raw, 1):
            if '\t' in line[:len(line) - len(line.lstrip())]:
                raise SpecError(f'{path}:{n}: tab in indentation')
            content = _strip_comment(line.strip())
            if line.rstrip() in ('---', '...') or line.startswith('%'):
                if line.rstrip() == '...' or (line.rstrip() == '---' and self.lines):
                    raise SpecError(f'{path}:{n}: one document only')
                continue
            if content:
                self.lines.append((len(line) - len(line.lstrip()), content, n))

    def where(self, i):
        return f'{self.path}:{self.lines[i][2]}'

    def parse(self):
        if not self.lines:
            return None
        value, i = self.block(0, self.lines[0][0])
        if i != len(self.lines):
            raise SpecError(f'{self.where(i)}: unexpected indentation')
        return value

    def block(self, i, indent):
        text = self.lines[i][1]
        if text == '-' or text.startswith('- '):
            return self.sequence(i, indent)
        if not re.match(self.KEY, text):
            return self.plain_scalar(i, indent)
        return self.mapping(i, indent)

    def plain_scalar(self, i, indent):
        """A plain scalar over several lines: line breaks fold to spaces."""
        text, n = self.lines[i][1], self.lines[i][2]
        if text[0] in '\'"[':
            raise SpecError(f'{self.where(i)}: quoted and flow scalars must fit on a line')
        i += 1
        while i < len(self.lines) and self.lines[i][0] >= indent:
            blanks = self.lines[i][2] - n - 1
            text += '\n' * blanks if blanks else ' '
            text += self.lines[i][1]
            n = self.lines[i][2]
            i += 1
        return _scalar(text, self.where(i - 1)) if '\n' not in text else text, i

    def sequence(self, i, indent):
        items = []
        while i < len(self.lines) and self.lines[i][0] == indent:
            _, text, n = self.lines[i]
            if text != '-' and not text.startswith('- '):
                break
            rest = text[1:].strip()
            if not rest:
                i += 1
                if i >= len(self.lines) or self.lines[i][0] <= indent:
                    items.append(None)
                    continue
                value, i = self.block(i, self.lines[i][0])
            elif re.match(r'[^\'"\[]*?:(\s|$)', rest):
                # "- key: value": a mapping that starts on the dash's line.
                col = indent + len(text) - len(rest)
                self.lines[i] = (col, rest, n)
                value, i = self.mapping(i, col)
            else:
                value, i = _scalar(rest, self.where(i)), i + 1
            items.append(value)
        return items, i

    def mapping(self, i, indent):
        result = {}
        while i < len(self.lines) and self.lines[i][0] == indent:
            _, text, n = self.lines[i]
            if text == '-' or text.startswith('- '):
                break
            m = re.match(self.KEY, text)
            if not m:
                raise SpecError(f'{self.where(i)}: expected "key: value"')
            key, rest = m.group(1), (m.group(2) or '').strip()
            if key in result:
                raise SpecError(f'{self.where(i)}: duplicate key {key}')
            i += 1
            if rest in ('|', '|-', '|+', '>', '>-', '>+'):
                result[key], i = self.block_scalar(i, indent, rest, n)
            elif (rest and rest[0] not in '&*!|>[{\'"' and
                  i < len(self.lines) and self.lines[i][0] > indent):
                # A plain scalar going on over more-indented lines.
                self.lines[i - 1] = (indent + 1, rest, n)
                result[key], i = self.plain_scalar(i - 1, indent + 1)
            elif rest:
                result[key] = _scalar(rest, self.where(i - 1))
            elif i < len(self.lines) and self.lines[i][0] > indent:
                result[key], i = self.block(i, self.lines[i][0])
            elif (i < len(self.lines) and self.lines[i][0] == indent and
                  (self.lines[i][1] == '-' or self.lines[i][1].startswith('- '))):
                # A sequence may sit at its key's own indentation.
                result[key], i = self.sequence(i, indent)
            else:
                result[key] = None
        if i < len(self.lines) and self.lines[i][0] > indent:
            raise SpecError(f'{self.where(i)}: unexpected indentation')
        return result, i

    def block_scalar(self, i, indent, style, header_line):
        """The text of a | or > scalar whose header is on @header_line."""
        while i < len(self.lines) and self.lines[i][0] > indent:
            i += 1
        end = self.lines[i][2] - 1 if i < len(self.lines) else len(self.raw)
        body = self.raw[header_line:end]
        # Blank and comment lines after the text are not part of it.
        while body and (not body[-1].strip() or
                        (body[-1].strip().startswith('#') and
                         len(body[-1]) - len(body[-1].lstrip()) <= indent)):
            body.pop()
        if not body:
            return '', i
        cut = min(len(l) - len(l.lstrip()) for l in body if l.strip())
        lines = [l[cut:] if l.strip() else '' for l in body]
        if style[0] == '|':
            text = '\n'.join(lines) + '\n'
        else:
            # Folded: a single line break between two plain lines is a
            # space, blank lines are line breaks, more-indented lines keep
            # theirs.
            text, blanks, prev_more = lines[0], 0, lines[0][:1].isspace()
            for line in lines[1:]:
                if not line:
                    blanks += 1
                    continue
                more = line[:1].isspace()
                if more or prev_more:
                    text += '\n' * (blanks + 1)
                else:
                    text += '\n' * blanks if blanks else ' '
                text += line
                blanks, prev_more = 0, more
            text += '\n'
        if style.endswith('-'):
            text = text.rstrip('\n')
        elif style.endswith('+'):
            text += '\n' * (len(self.raw[header_line:end]) - len(body))
        return text, i


def load_yaml(path):
    with open(path, encoding='utf-8') as f:
        return _Yaml(f.read(), path).parse()


# --- The C header ----------------------------------------------------------

def _c_eval(expr, names, where):
    """The value of a constant expression of a header."""
    expr = re.sub(r'\b_?BIT(?:UL|ULL)?\s*\(\s*(\w+)\s*\)', r'(1 << (\1))', expr)
    expr = re.sub(r'\b(0x[0-9a-fA-F]+|[0-9]+)[uUlL]+\b', r'\1', expr)
    expr = re.sub(r'\b([A-Za-z_]\w*)\b',
                  lambda m: f'({names[m.group(1)]!r})' if m.group(1) in names else m.group(1),
                  expr)
    try:
        tree = ast.parse(expr.strip(), mode='eval')
    except SyntaxError:
        return None
    ops = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub,
           ast.Mult, ast.LShift, ast.RShift, ast.BitOr, ast.BitAnd, ast.USub,
           ast.UAdd, ast.Invert)
    if not all(isinstance(node, ops) for node in ast.walk(tree)):
        return None
    value = eval(compile(tree, where, 'eval'), {'__builtins__': {}})
    return value if isinstance(value, (int, str)) else None


class Header:
    """The #defines and enums of a C header, with their values."""

    def __init__(self, path):
        self.path = path
        with open(path, encoding='utf-8') as f:
            text = f.read()
        text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'),
                      text, flags=re.S)
        text = re.sub(r'//[^\n]*', '', text)
        self.values = {}
        self.enums = []		# (enum name or None, [member names])
        for m in re.finditer(r'^[ \t]*#[ \t]*define[ \t]+(\w+)(?!\()[ \t]+(.+?)[ \t]*$', text, re.M):
            if m.group(2).startswith('"'):
                self.values[m.group(1)] = _c_eval(m.group(2), {}, path)
            else:
                self.values[m.group(1)] = _c_eval(m.group(2), self.values, path)
        for m in re.finditer(r'\benum\s+(\w+)?\s*\{(.*?)\}\s*;', text, re.S):
            members, value = [], -1
            for entry in m.group(2).split(','):
                entry = entry.strip()
                if not entry:
                    continue
                name, _, expr = entry.partition('=')
                name = name.strip()
                if expr:
                    value = _c_eval(expr, self.values, path)
                    if value is None:
                        raise SpecError(f'{path}: cannot evaluate {entry}')
                else:
                    value += 1
                self.values[name] = value
                members.append(name)
            self.enums.append((m.group(1), members))

    def enum_of(self, name):
        for enum_name, members in self.enums:
            if name in members:
                return enum_name, members
        return None, []


# --- The comparison --------------------------------------------------------

def c_upper(name):
    return name.upper().replace('-', '_')


class Checker:
    def __init__(self, spec, header, include_dirs):
        self.spec = spec
        self.header = header
        self.include_dirs = include_dirs
        self.headers = {}
        self.errors = []
        self.family = spec.get('name', '')

    def error(self, msg):
        self.errors.append(msg)

    def expect(self, hdr, c_name, value, what):
        if c_name not in hdr.values:
            self.error(f'{what}: {c_name} is not in {hdr.path}')
        elif hdr.values[c_name] != value:
            self.error(f'{what}: {c_name} is {hdr.values[c_name]!r} in {hdr.path}, '
                       f'the spec says {value!r}')

    def other_header(self, name):
        if name not in self.headers:
            for d in self.include_dirs:
                path = os.path.join(d, name)
                if os.path.exists(path):
                    self.headers[name] = Header(path)
                    break
            else:
                self.headers[name] = None
                self.error(f'header {name} not found under {", ".join(self.include_dirs)}')
        return self.headers[name]

    def check_enum(self, prefix, entries, cnt_name, max_name, what):
        """@entries: [(C name, value)] of the spec, in order."""
        for c_name, value in entries:
            self.expect(self.header, c_name, value, what)
        if not entries:
            return
        enum_name, members = self.header.enum_of(entries[0][0])
        known = {c for c, _ in entries} | {cnt_name, max_name}
        for member in members:
            if member in known:
                continue
            if member == prefix + 'UNSPEC' and self.header.values[member] == 0:
                continue
            self.error(f'{what}: {member} (enum {enum_name}) is not in the spec')
        last = max(value for _, value in entries)
        self.expect(self.header, cnt_name, last + 1, what)
        self.expect(self.header, max_name, last, what)

    def check_definitions(self):
        for d in self.spec.get('definitions') or []:
            where = d.get('header')
            if d.get('scope', 'uapi') != 'uapi' and not where:
                continue
            hdr = self.other_header(where) if where else self.header
            if hdr is None:
                continue
            what = f'definition {d["name"]}'
            if d['type'] == 'const':
                c_name = c_upper(d['name'] if where else f'{self.family}-{d["name"]}')
                self.expect(hdr, c_name, d['value'], what)
                continue
            prefix = d.get('name-prefix', f'{self.family}-{d["name"]}-')
            value = d.get('value-start', 0)
            for entry in d.get('entries') or []:
                if isinstance(entry, dict):
                    value = entry.get('value', value)
                    entry = entry['name']
                wanted = 1 << value if d['type'] == 'flags' else value
                self.expect(hdr, c_upper(prefix + entry), wanted, what)
                value += 1

    def check_attribute_sets(self):
        sets = {}
        for aset in self.spec.get('attribute-sets') or []:
            sets[aset['name']] = {a['name'] for a in aset.get('attributes') or []}
            if aset.get('subset-of'):
                continue
            if 'name-prefix' in aset:
                prefix = c_upper(aset['name-prefix'])
            elif aset['name'] == self.family:
                prefix = c_upper(f'{self.family}-a-')
            else:
                prefix = c_upper(f'{self.family}-a-{aset["name"]}-')
            entries, value = [], 0
            for attr in aset.get('attributes') or []:
                value = attr.get('value', value + 1)
                entries.append((prefix + c_upper(attr['name']), value))
            self.check_enum(prefix, entries,
                            c_upper(aset.get('attr-cnt-name', f'__{prefix}MAX')),
                            c_upper(aset.get('attr-max-name', f'{prefix}MAX')),
                            f'attribute-set {aset["name"]}')
        return sets

    def check_operations(self, sets):
        ops = self.spec.get('operations') or {}
        if ops.get('enum-model', 'unified') != 'unified':
            self.error('operations: only the unified enum model is checked')
            return
        prefix = c_upper(ops.get('name-prefix', f'{self.family}-cmd-'))
        groups = {g['name'] for g in (self.spec.get('mcast-groups') or {}).get('list') or []}
        entries, value = [], 0
        for op in ops.get('list') or []:
            value = op.get('value', value + 1)
            entries.append((prefix + c_upper(op['name']), value))
            what = f'operation {op["name"]}'
            attrs = sets.get(op.get('attribute-set'), set())
            if 'attribute-set' in op and op['attribute-set'] not in sets:
                self.error(f'{what}: no attribute-set {op["attribute-set"]}')
            lists = [(op.get(mode) or {}).get(part) or {}
                     for mode in ('do', 'dump') for part in ('request', 'reply')]
            lists.append(op.get('event') or {})
            for attr in sum([l.get('attributes') or [] for l in lists], []):
                if attr not in attrs:
                    self.error(f'{what}: attribute {attr} is not in its attribute-set')
            if 'mcgrp' in op and op['mcgrp'] not in groups:
                self.error(f'{what}: no multicast group {op["mcgrp"]}')
        self.check_enum(prefix, entries,
                        c_upper(self.spec.get('cmd-cnt-name', f'__{prefix}MAX')),
                        c_upper(self.spec.get('cmd-max-name', f'{prefix}MAX')),
                        'operations')
        return len(entries)

    def check(self):
        for key in ('name', 'attribute-sets', 'operations'):
            if key not in self.spec:
                self.error(f'the spec has no {key}')
        if self.errors:
            return
        self.expect(self.header,
                    c_upper(self.spec.get('c-family-name', f'{self.family}-family-name')),
                    self.family, 'family name')
        self.expect(self.header,
                    c_upper(self.spec.get('c-version-name', f'{self.family}-family-version')),
                    self.spec.get('version', 1), 'family version')
        self.check_definitions()
        sets = self.check_attribute_sets()
        self.nr_ops = self.check_operations(sets)
        self.nr_groups = 0
        for grp in (self.spec.get('mcast-groups') or {}).get('list') or []:
            c_name = c_upper(grp.get('c-define-name', f'{self.family}-mcgrp-{grp["name"]}'))
            self.expect(self.header, c_name, grp['name'], f'multicast group {grp["name"]}')
            self.nr_groups += 1
        self.nr_attrs = sum(len(s) for s in sets.values())


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(
        description='Check a YNL generic netlink spec against its uapi header.')
    parser.add_argument('spec', nargs='?', default=os.path.join(root, 'uapi/fastipc.yaml'))
    parser.add_argument('header', nargs='?',
                        default=os.path.join(root, 'uapi/linux/fastipc_netlink.h'))
    parser.add_argument('-I', dest='include', action='append',
                        help='where headers named by the spec are (default: uapi/)')
    args = parser.parse_args()

    try:
        spec = load_yaml(args.spec)
        header = Header(args.header)
    except (OSError, SpecError) as e:
        print(f'check-netlink-spec: {e}', file=sys.stderr)
        return 2
    if not isinstance(spec, dict):
        print(f'check-netlink-spec: {args.spec}: not a YNL spec', file=sys.stderr)
        return 2

    checker = Checker(spec, header, args.include or [os.path.join(root, 'uapi')])
    try:
        checker.check()
    except (KeyError, TypeError, SpecError) as e:
        print(f'check-netlink-spec: {args.spec}: malformed spec ({e!r})', file=sys.stderr)
        return 2
    if checker.errors:
        for msg in checker.errors:
            print(f'{os.path.basename(args.spec)}: {msg}', file=sys.stderr)
        print(f'check-netlink-spec: {len(checker.errors)} mismatch(es) between '
              f'{args.spec} and {args.header}', file=sys.stderr)
        return 1
    print(f'{os.path.basename(args.spec)} matches {os.path.basename(args.header)}: '
          f'{checker.nr_attrs} attributes, {checker.nr_ops} commands, '
          f'{checker.nr_groups} multicast group(s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
