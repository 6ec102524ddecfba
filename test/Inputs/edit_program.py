#!/usr/bin/env python3
"""A generated C/C++ program and the edits the differential edit suite
(edit_suite.py) makes to it, drawn from a seeded random.Random.

The program is a model (modules of functions, globals and headers) that is
rendered to source text; an edit changes the model, and the files whose
text changed say which modules are compiled again (a module, or a header
it includes). Everything is deterministic in the seed.

Module m<K> (C, or C++ for one module in three) has
  - api0..api2: small functions other modules call (they are imported),
    reading a table nobody writes (importers import it with its
    initializer), writing a global, calling a static helper,
    hashing a string literal through a static function, calling the
    inline functions and templates of its group header, and calling api
    functions of modules with a higher index (the call graph is a DAG:
    modules last in the list are utilities many call);
  - work: noinline, called by api1 only (nobody imports it);
  - local: called by run only (inlined there, imported by nobody);
  - name: returns a string literal (main prints it);
  - run: what main calls;
  - C++ only: an internal class with a virtual function behind
    m<K>_shape(), a public class whose out-of-line method others call, and
    functions that may throw or are noexcept.
main.cpp calls every module's run, name and shape and prints the results
and every module's written global.

  edit_program.py DIR [--seed N] [--modules N] [--edits N]
writes the program into DIR and prints the edits it would make (a
self-check: every edit applies and changes some file).
"""
import argparse
import os
import random
import re

# Edit kinds, with their weight in the draw. "Header" kinds recompile
# several modules and are drawn less often.
KINDS = [
    ("unimported-body", 4),   # work's body: noinline, called by its module
    ("local-body", 2),        # local's body: inlined into run, not exported
    ("imported-body", 4),     # an api function's body
    ("new-function", 4),      # a function nobody calls
    ("remove-function", 2),   # one of those removed again
    ("static-helper", 4),     # the static helper an api function calls
    ("rename-static", 2),     # the static helper renamed
    ("static-noinline", 2),   # the static helper gains or loses noinline
    ("global-ro", 4),         # the table nobody writes: its initializer
    ("global-rw", 3),         # the initializer of the written global
    ("new-global", 2),        # a global nobody uses
    ("signature", 2),         # an api function's return type (header too)
    ("attribute", 3),         # noinline or cold on an api definition
    ("add-call", 3),          # a cross-module call added
    ("remove-call", 3),       # a cross-module call removed
    ("string-literal", 4),    # a literal an api function hashes, or name's
    ("shift-lines", 3),       # blank lines above a function (modules with -g)
    ("reorder", 3),           # two function definitions swap places
    ("header-inline", 1),     # an inline function of a group header
    ("template", 1),          # a template of a group header (C++)
    ("virtual", 2),           # a virtual function's body (C++)
    ("method", 2),            # an out-of-line method others call (C++)
    ("throw", 2),             # an api function starts or stops throwing (C++)
    ("noexcept", 2),          # an api function gains or loses noexcept (C++)
]

GROUPS = 4        # group headers; module K includes grp<K % GROUPS>.h
UTILITIES = 4     # the last modules, called by many
MAX_CALLS = 200000  # calls main makes at run time (a bound on add-call)


def u(v):
    return "%uu" % v


class Func:
    """One function of a module. role: api, work, local, helper, strhash,
    name, run, extra."""

    def __init__(self, role, name, **kw):
        self.role, self.name = role, name
        self.ret = "unsigned"
        self.attrs = []        # noinline, cold (api functions)
        self.k1, self.k2 = 1, 0
        self.op = "+"
        self.calls = []        # (module index, what): what = api<j> | counter
        self.helper = False    # calls the module's static helper
        self.tab = False       # reads the table (nobody writes it)
        self.state = False     # writes the global
        self.count = False     # writes the module's static counter
        self.work = False      # calls work
        self.literal = None    # hashes this string literal through strhash
        self.mix = False       # calls the group header's inline function
        self.fold = False      # calls the group header's template (C++)
        self.throws = False    # C++
        self.noexcept = False  # C++
        self.noinline = False  # helper
        self.__dict__.update(kw)


class Module:
    def __init__(self, index, cxx, debug):
        self.index, self.cxx, self.debug = index, cxx, debug
        self.name = "m%d" % index
        self.group = index % GROUPS
        self.funcs = []        # in file order
        self.tab = [3, 5, 7, 11]
        self.state = 17
        self.count = 1
        self.extra_globals = []  # (name, value)
        self.blank = {}        # function name -> blank lines above it
        self.helper_name = self.name + "_helper"
        self.shape_k = (3, 1)  # the virtual function's constants
        self.counter_k = 5     # the public method's constant
        self.serial = 0        # for names of added things
        # Its imported functions name no local of the module (no promoted
        # name in an importer's object): the static helper is inlined, the
        # string literals are in functions nobody imports, name() returns
        # an external array, the C++ class is not in an anonymous
        # namespace. Other modules' importers carry the module's hash.
        self.clean = False

    @property
    def src(self):
        return self.name + (".cpp" if self.cxx else ".c")

    @property
    def header(self):
        return self.name + ".h"

    def func(self, role):
        return next(f for f in self.funcs if f.role == role)

    def apis(self):
        return [f for f in self.funcs if f.role == "api"]


class Program:
    def __init__(self, seed, modules):
        self.seed = seed
        self.rng = random.Random(seed)
        r = self.rng
        self.groups = [{"shift": r.randrange(1, 15), "mul": r.randrange(3, 999, 2),
                        "fold_mul": r.randrange(3, 99, 2),
                        "fold_xor": r.randrange(1, 9999),
                        "cxx_add": r.randrange(1, 999)}
                       for _ in range(GROUPS)]
        self.modules = []
        for k in range(modules):
            cxx = k % 3 == 2
            # One module in five with DWARF 5 (clang's default), one in five
            # with DWARF 4, the rest without debug information.
            debug = {1: ["-g"], 3: ["-gdwarf-4"]}.get(k % 5, [])
            self.modules.append(self.make_module(k, cxx, debug))
        for m in self.modules:
            for f in m.apis():
                for chance in (0.9, 0.4):
                    if r.random() < chance:
                        self.add_random_call(m, f)
        assert self.call_count() <= MAX_CALLS

    # -- construction ------------------------------------------------------

    def make_module(self, k, cxx, debug):
        r = self.rng
        m = Module(k, cxx, debug)
        m.clean = r.random() < 0.5
        m.tab = [r.randrange(1, 1000) for _ in range(4)]
        m.state = r.randrange(1, 1000)
        m.shape_k = (r.randrange(2, 50), r.randrange(1, 999))
        m.counter_k = r.randrange(1, 999)
        n = m.name
        m.funcs.append(Func("helper", m.helper_name, k1=r.randrange(2, 99),
                            k2=r.randrange(1, 999),
                            noinline=not m.clean and r.random() < 0.7))
        m.funcs.append(Func("strhash", n + "_strhash", k1=r.randrange(1, 999)))
        m.funcs.append(Func("work", n + "_work", k1=r.randrange(2, 9),
                            k2=r.randrange(1, 999),
                            literal=self.word() if m.clean else None))
        m.funcs.append(Func("local", n + "_local", k1=r.randrange(1, 9),
                            k2=r.randrange(1, 999)))
        for j in range(3):
            f = Func("api", "%s_api%d" % (n, j), k1=r.randrange(1, 999),
                     k2=r.randrange(1, 999), op=r.choice("+^*"))
            f.helper = j == 0 or r.random() < 0.3
            # Not in the function that writes globals (see run).
            f.tab = j == 1 or (j == 0 and r.random() < 0.3)
            f.state = j == 2
            f.count = j == 2 and not m.clean and r.random() < 0.5
            f.work = j == 1
            f.literal = (self.word() if not m.clean and r.random() < 0.4
                         else None)
            f.mix = r.random() < 0.5
            f.fold = cxx and r.random() < 0.5
            f.throws = cxx and r.random() < 0.3
            f.noexcept = cxx and not f.throws and r.random() < 0.3
            m.funcs.append(f)
        m.funcs.append(Func("name", n + "_name", literal=self.word()))
        m.funcs.append(Func("run", n + "_run"))
        # A few functions in another order than written here.
        for _ in range(2):
            a, b = r.sample(range(len(m.funcs)), 2)
            m.funcs[a], m.funcs[b] = m.funcs[b], m.funcs[a]
        return m

    def word(self):
        r = self.rng
        return "".join(r.choice("abcdefghijklmnopqrstuvwxyz ")
                       for _ in range(r.randrange(4, 16))).strip() or "w"

    def callees(self, m, f):
        """(module index, what) this api function could call: any api of a
        higher module (utilities more often), or a C++ module's counter
        from C++."""
        out = []
        for t in self.modules[m.index + 1:]:
            weight = 4 if t.index >= len(self.modules) - UTILITIES else 1
            for j in range(3):
                out += [(t.index, "api%d" % j)] * weight
            if m.cxx and t.cxx:
                out += [(t.index, "counter")] * weight
        return [c for c in out if c not in f.calls]

    def add_random_call(self, m, f):
        choices = self.callees(m, f)
        if not choices:
            return False
        f.calls.append(self.rng.choice(choices))
        if self.call_count() > MAX_CALLS:
            f.calls.pop()
            return False
        return True

    def call_count(self):
        """Calls main makes, counting every api function's calls."""
        memo = {}

        def calls(k, what):
            if (k, what) not in memo:
                if what == "counter":
                    memo[(k, what)] = 1
                else:
                    f = next(g for g in self.modules[k].apis()
                             if g.name.endswith("_" + what))
                    memo[(k, what)] = 1 + sum(calls(t, w) for t, w in f.calls)
            return memo[(k, what)]
        return sum(1 + sum(calls(m.index, "api%d" % j) for j in range(3))
                   for m in self.modules)

    # -- rendering ---------------------------------------------------------

    def files(self):
        """{file name: text} of the whole program."""
        out = {"common.h": COMMON_H, "shape.hpp": SHAPE_HPP,
               "main.cpp": self.render_main()}
        for g in range(GROUPS):
            out["grp%d.h" % g] = self.render_group(g)
        for m in self.modules:
            out[m.header] = self.render_header(m)
            out[m.src] = self.render_module(m)
        return out

    def includes(self, m):
        """Headers module m's source includes (beside common.h)."""
        out = [m.header]
        for f in m.apis():
            for t, _ in f.calls:
                h = self.modules[t].header
                if h not in out:
                    out.append(h)
        out.append("grp%d.h" % m.group)
        if m.cxx:
            out.append("shape.hpp")
        return out

    def sources(self):
        """The program's source files (each a module), main.cpp first."""
        return ["main.cpp"] + [m.src for m in self.modules]

    def render_group(self, g):
        p = self.groups[g]
        return GROUP_H.format(g=g, shift=p["shift"], mul=u(p["mul"]),
                              fold_mul=p["fold_mul"], fold_xor=p["fold_xor"],
                              cxx_add=u(p["cxx_add"]))

    def signature(self, m, f, definition=False):
        ret = "const char *" if f.role == "name" else f.ret + " "
        if f.role == "strhash":
            params = "const char *s"
        elif f.role == "name":
            params = "void"
        elif f.role == "run":
            params = "unsigned seed"
        else:
            params = "unsigned x"
        static = "static " if f.role in ("helper", "strhash") else ""
        attrs = ""
        if definition:
            a = list(f.attrs)
            if f.role in ("work", "strhash") or (f.role == "helper" and
                                                 f.noinline):
                a = ["noinline"] + a
            if a:
                attrs = "__attribute__((%s)) " % ", ".join(a)
        tail = " GEN_NOEXCEPT" if f.noexcept else ""
        return "%s%s%s%s(%s)%s" % (attrs, static, ret, f.name, params, tail)

    def render_header(m_self, m):
        self = m_self
        lines = ["/* %s: generated by edit_program.py. */" % m.header,
                 "#ifndef %s_H" % m.name.upper(), "#define %s_H" % m.name.upper(),
                 '#include "common.h"', "GEN_EXTERN_C_BEGIN",
                 "extern unsigned %s_tab[4];" % m.name,
                 "extern unsigned %s_state;" % m.name]
        # In a fixed order: reordering the definitions changes no header.
        for f in sorted(m.funcs, key=lambda f: f.name):
            if f.role in ("api", "name", "run"):
                lines.append(self.signature(m, f) + ";")
        lines.append("GEN_EXTERN_C_END")
        if m.cxx:
            lines += ["#ifdef __cplusplus", '#include "shape.hpp"',
                      "const Shape *%s_shape();" % m.name,
                      "struct %s_Counter {" % m.name,
                      "  unsigned k;",
                      "  explicit %s_Counter(unsigned k) : k(k) {}" % m.name,
                      "  unsigned get(unsigned x) const;",
                      "};", "#endif"]
        lines.append("#endif")
        return "\n".join(lines) + "\n"

    def render_call(self, t, what):
        tm = self.modules[t]
        if what == "counter":
            return "  r += %s_Counter(r & 15u).get(r);" % tm.name
        return "  r += %s_%s(r);" % (tm.name, what)

    def render_func(self, m, f):
        n, g = m.name, m.group
        head = self.signature(m, f, definition=True) + " {"
        if f.role == "helper":
            body = ["  return x * %s + %s;" % (u(f.k1), u(f.k2))]
        elif f.role == "strhash":
            body = ["  unsigned h = %s;" % u(f.k1),
                    "  while (*s)",
                    "    h = h * 31u + (unsigned char)*s++;",
                    "  return h;"]
        elif f.role == "work":
            body = ["  unsigned s = %s;" % u(f.k2),
                    "  for (unsigned i = 0; i < (x & 7u) + %s; ++i)" % u(f.k1),
                    "    s = s * 33u + i;"]
            if f.literal is not None:
                body.append('  s += %s_strhash("%s");' % (n, f.literal))
            body.append("  return s;")
        elif f.role in ("local", "extra"):
            body = ["  return (x >> %s) ^ %s;" % (u(f.k1), u(f.k2))]
        elif f.role == "name":
            body = ["  return %s_label;" % n if m.clean else
                    '  return "%s";' % f.literal]
        elif f.role == "run":
            body = ["  unsigned r = seed;"]
            # The writer first: LLVM's summary counts a global loaded on
            # the way to a value stored as written (not read-only), and
            # the inliner puts every api function into run.
            body += ["  r += %s(r);" % a.name for a in
                     sorted(m.apis(), key=lambda a: not (a.state or a.count))]
            body.append("  r += %s_local(r);" % n)
            if m.cxx:
                body.append("  r += %s_shape()->area(r);" % n)
                body.append("  r += %s_Counter(%s).get(r);" % (n, u(m.counter_k)))
            body.append("  return r;")
        elif f.role == "api":
            body = ["  unsigned r = (x %s %s) + %s;" % (f.op, u(f.k1), u(f.k2))]
            if f.helper:
                body.append("  r += %s(r);" % m.helper_name)
            if f.tab:
                # Constant indexes only: a load through a computed address
                # is not a read-only reference in the summary, and the thin
                # link would not import the table.
                body.append("  r ^= %s_tab[%d];" % (n, f.k1 % 4))
                body.append("  r += %s_tab[%d];" % (n, (f.k1 + 1) % 4))
            if f.state:
                body.append("  %s_state += r;" % n)
            if f.count:
                body.append("  %s_count += 1u;" % n)
                body.append("  r += %s_count;" % n)
            if f.work:
                body.append("  r += %s_work(r);" % n)
            if f.literal is not None:
                body.append('  r += %s_strhash("%s");' % (n, f.literal))
            if f.mix:
                body.append("  r = g%d_mix(r);" % g)
            if f.fold:
                body.append("  r = g%d_fold<unsigned>(r, 7u);" % g)
            if f.throws:
                body.append("  if (x == 0xfffffff1u)")
                body.append("    throw r;")
            body += [self.render_call(t, w) for t, w in f.calls]
            body.append("  return r;")
        else:
            raise AssertionError(f.role)
        return "\n" * m.blank.get(f.name, 0) + "\n".join([head] + body + ["}"])

    def render_module(self, m):
        n = m.name
        out = ["/* %s: generated by edit_program.py (seed %d). */" % (m.src,
                                                                      self.seed)]
        out += ['#include "%s"' % h for h in self.includes(m)]
        out.append("")
        for f in m.funcs:
            if f.role in ("helper", "strhash", "work", "local", "extra"):
                out.append(self.signature(m, f) + ";")
        out.append("")
        # Written by nobody, but not const: its module cannot fold it, the
        # thin link finds it read-only and importers fold their copy.
        out.append("unsigned %s_tab[4] = {%s};" %
                   (n, ", ".join(u(v) for v in m.tab)))
        out.append("unsigned %s_state = %s;" % (n, u(m.state)))
        out.append("static unsigned %s_count = %s;" % (n, u(m.count)))
        if m.clean:
            # extern: a const at namespace scope is internal in C++.
            out.append("extern const char %s_label[];" % n)
            out.append('const char %s_label[] = "%s";' % (
                n, m.func("name").literal))
        for name, v in m.extra_globals:
            out.append("unsigned %s = %s;" % (name, u(v)))
        if m.cxx:
            a, b = m.shape_k
            impl = "%s_Impl" % n if m.clean else "Impl"
            out += [""] + ([] if m.clean else ["namespace {"]) + [
                    "struct %s final : Shape {" % impl,
                    "  unsigned area(unsigned x) const override {",
                    "    return x * %s + %s;" % (u(a), u(b)),
                    "  }",
                    "};"] + (
                    ["extern const %s %s_impl;" % (impl, n)] if m.clean else
                    []) + [
                    "const %s %s_impl{};" % (impl, n)] + (
                    [] if m.clean else ["} // namespace"]) + [
                    "const Shape *%s_shape() { return &%s_impl; }" % (n, n),
                    "unsigned %s_Counter::get(unsigned x) const {" % n,
                    "  return g%d_cxx(x) + k * %s;" % (m.group, u(m.counter_k)),
                    "}"]
        for f in m.funcs:
            out.append("")
            out.append(self.render_func(m, f))
        return "\n".join(out) + "\n"

    def render_main(self):
        out = ["/* main.cpp: generated by edit_program.py. */",
               'extern "C" int printf(const char *, ...);']
        out += ['#include "%s"' % m.header for m in self.modules]
        out += ["", "int main(int argc, char **) {",
                "  unsigned seed = (unsigned)argc * 7u;"]
        for m in self.modules:
            out.append('  printf("%s %%s %%08x\\n", %s_name(), %s_run(seed));' %
                       (m.name, m.name, m.name))
            if m.cxx:
                out.append('  printf("%s shape %%08x\\n", %s_shape()->area(seed));'
                           % (m.name, m.name))
        for m in self.modules:
            out.append('  printf("%s state %%08x tab %%08x\\n", %s_state, '
                       '%s_tab[3]);' % (m.name, m.name, m.name))
        out += ["  return 0;", "}"]
        return "\n".join(out) + "\n"

    # -- edits -------------------------------------------------------------

    def draw_edits(self, count):
        """Yields count edits as (kind, description), each applied when
        yielded: every kind once (in random order; a kind that applies to
        no module yet, like remove-function before any new-function, comes
        later), then kinds drawn by weight. A kind is applied to a random
        module it applies to (the C++ kinds to C++ modules, shift-lines to
        modules with -g, ...)."""
        r = self.rng
        pending = [k for k, _ in KINDS]
        r.shuffle(pending)
        weighted = [k for k, w in KINDS for _ in range(w)]
        for _ in range(count):
            deferred = []
            while True:
                first = bool(pending)
                kind = pending.pop(0) if first else r.choice(weighted)
                done = self.apply(kind)
                if done:
                    break
                if first:
                    deferred.append(kind)
            pending = deferred + pending
            yield kind, done

    def apply(self, kind):
        """Applies kind to a random module it applies to; returns what it
        did, or None if it applies to none."""
        modules = list(self.modules)
        self.rng.shuffle(modules)
        # Three edits in four go to a module whose importers do not carry
        # its hash (if the kind applies to one): there ltocache hits where
        # lld's cache misses, and a key that misses an input serves a wrong
        # object.
        clean_first = self.rng.random() < 0.75
        modules.sort(key=lambda m: m.clean != clean_first)
        edit = getattr(self, "edit_" + kind.replace("-", "_"))
        for m in modules:
            what = edit(m)
            if what:
                return "%s: %s" % (m.src, what)
        return None

    def new_constant(self, old, lo=1, hi=999):
        while True:
            v = self.rng.randrange(lo, hi)
            if v != old:
                return v

    def pick(self, items):
        return self.rng.choice(items) if items else None

    def edit_unimported_body(self, m):
        f = m.func("work")
        f.k2 = self.new_constant(f.k2)
        return "%s's constant" % f.name

    def edit_local_body(self, m):
        f = m.func("local")
        f.k2 = self.new_constant(f.k2)
        return "%s's constant" % f.name

    def edit_imported_body(self, m):
        f = self.pick(m.apis())
        f.k2 = self.new_constant(f.k2)
        return "%s's constant" % f.name

    def edit_new_function(self, m):
        m.serial += 1
        f = Func("extra", "%s_extra%d" % (m.name, m.serial),
                 k1=self.rng.randrange(1, 9), k2=self.rng.randrange(1, 999))
        m.funcs.insert(self.rng.randrange(len(m.funcs) + 1), f)
        return "new %s" % f.name

    def edit_remove_function(self, m):
        f = self.pick([f for f in m.funcs if f.role == "extra"])
        if not f:
            return None
        m.funcs.remove(f)
        return "%s removed" % f.name

    def edit_static_helper(self, m):
        f = m.func("helper")
        f.k2 = self.new_constant(f.k2)
        return "%s's constant (%s)" % (f.name, "noinline" if f.noinline
                                       else "inlinable")

    def edit_rename_static(self, m):
        f = m.func("helper")
        m.serial += 1
        old = f.name
        f.name = m.helper_name = "%s_helper%d" % (m.name, m.serial)
        if old in m.blank:
            m.blank[f.name] = m.blank.pop(old)
        return "%s renamed %s" % (old, f.name)

    def edit_static_noinline(self, m):
        f = m.func("helper")
        f.noinline = not f.noinline
        return "%s %s noinline" % (f.name, "is" if f.noinline else "is not")

    def edit_global_ro(self, m):
        # Every element: the ones importers read at a constant index (and
        # fold) change too.
        m.tab = [self.new_constant(v) for v in m.tab]
        return "%s_tab's initializer" % m.name

    def edit_global_rw(self, m):
        m.state = self.new_constant(m.state)
        return "%s_state's initializer" % m.name

    def edit_new_global(self, m):
        m.serial += 1
        m.extra_globals.append(("%s_unused%d" % (m.name, m.serial),
                                self.rng.randrange(1, 999)))
        return "new %s" % m.extra_globals[-1][0]

    def edit_signature(self, m):
        f = self.pick(m.apis())
        f.ret = "unsigned long long" if f.ret == "unsigned" else "unsigned"
        return "%s returns %s" % (f.name, f.ret)

    def edit_attribute(self, m):
        f = self.pick(m.apis())
        a = self.rng.choice(["noinline", "cold"])
        if a in f.attrs:
            f.attrs.remove(a)
            return "%s loses %s" % (f.name, a)
        f.attrs.append(a)
        return "%s gains %s" % (f.name, a)

    def edit_add_call(self, m):
        f = self.pick(m.apis())
        if not self.add_random_call(m, f):
            return None
        t, w = f.calls[-1]
        return "%s calls %s_%s" % (f.name, self.modules[t].name, w)

    def edit_remove_call(self, m):
        f = self.pick([f for f in m.apis() if f.calls])
        if not f:
            return None
        t, w = f.calls.pop(self.rng.randrange(len(f.calls)))
        return "%s no longer calls %s_%s" % (f.name, self.modules[t].name, w)

    def edit_string_literal(self, m):
        f = self.pick([f for f in m.funcs if f.literal is not None])
        f.literal = self.word() + "!"
        return "%s's literal" % f.name

    def edit_shift_lines(self, m):
        if not m.debug:
            return None
        f = self.pick(m.funcs)
        m.blank[f.name] = m.blank.get(f.name, 0) + self.rng.randrange(1, 4)
        return "lines above %s (%s)" % (f.name, " ".join(m.debug))

    def edit_reorder(self, m):
        a, b = self.rng.sample(range(len(m.funcs)), 2)
        m.funcs[a], m.funcs[b] = m.funcs[b], m.funcs[a]
        return "%s and %s swap places" % (m.funcs[b].name, m.funcs[a].name)

    def edit_header_inline(self, m):
        p = self.groups[m.group]
        p["mul"] = self.new_constant(p["mul"], 3, 999)
        return "grp%d.h: g%d_mix" % (m.group, m.group)

    def edit_template(self, m):
        p = self.groups[m.group]
        p["fold_xor"] = self.new_constant(p["fold_xor"], 1, 9999)
        return "grp%d.h: g%d_fold" % (m.group, m.group)

    def edit_virtual(self, m):
        if not m.cxx:
            return None
        a, b = m.shape_k
        m.shape_k = (a, self.new_constant(b))
        return "%s::area" % ("%s_Impl" % m.name if m.clean else "Impl")

    def edit_method(self, m):
        if not m.cxx:
            return None
        m.counter_k = self.new_constant(m.counter_k)
        return "%s_Counter::get" % m.name

    def edit_throw(self, m):
        if not m.cxx:
            return None
        f = self.pick(m.apis())
        f.throws = not f.throws
        return "%s %s" % (f.name, "may throw" if f.throws else "never throws")

    def edit_noexcept(self, m):
        if not m.cxx:
            return None
        f = self.pick(m.apis())
        f.noexcept = not f.noexcept
        return "%s %s noexcept" % (f.name, "is" if f.noexcept else "is not")


COMMON_H = """/* common.h: generated by edit_program.py. */
#ifndef COMMON_H
#define COMMON_H
#ifdef __cplusplus
#define GEN_EXTERN_C_BEGIN extern "C" {
#define GEN_EXTERN_C_END }
#define GEN_NOEXCEPT noexcept
#else
#define GEN_EXTERN_C_BEGIN
#define GEN_EXTERN_C_END
#define GEN_NOEXCEPT
#endif
#endif
"""

SHAPE_HPP = """/* shape.hpp: generated by edit_program.py. */
#ifndef SHAPE_HPP
#define SHAPE_HPP
struct Shape {
  virtual unsigned area(unsigned x) const = 0;
};
#endif
"""

GROUP_H = """/* grp{g}.h: generated by edit_program.py. */
#ifndef GRP{g}_H
#define GRP{g}_H
static inline unsigned g{g}_mix(unsigned x) {{
  return (x ^ (x >> {shift}u)) * {mul};
}}
#ifdef __cplusplus
template <typename T> inline T g{g}_fold(T a, T b) {{
  return a * {fold_mul} + (b ^ {fold_xor});
}}
inline unsigned g{g}_cxx(unsigned x) {{
  return g{g}_fold<unsigned>(x, 3u) + {cxx_add};
}}
#endif
#endif
"""


def write_files(files, directory, old=None):
    """Writes files whose text differs from old (all if old is None);
    returns the names written."""
    os.makedirs(directory, exist_ok=True)
    changed = []
    for name, text in sorted(files.items()):
        if old is not None and old.get(name) == text:
            continue
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
        changed.append(name)
    return changed


def dependencies(files):
    """{source file: every file it includes, directly or not}, from the
    #include "..." lines of files."""
    direct = {n: re.findall(r'^#include "([^"]+)"', t, re.M)
              for n, t in files.items()}
    out = {}
    for n in files:
        if n.endswith((".c", ".cpp")):
            seen, work = set(), list(direct[n])
            while work:
                h = work.pop()
                if h not in seen:
                    seen.add(h)
                    work += direct.get(h, [])
            out[n] = seen
    return out


def changed_sources(old, new):
    """Sources whose text, or that of a file they include, differs."""
    diff = {n for n in new if old.get(n) != new[n]}
    return sorted(s for s, d in dependencies(new).items()
                  if s in diff or d & diff)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--modules", type=int, default=48)
    ap.add_argument("--edits", type=int, default=0)
    args = ap.parse_args()
    p = Program(args.seed, args.modules)
    callers = {m.name: set() for m in p.modules}
    for m in p.modules:
        for f in m.apis():
            for t, _ in f.calls:
                callers[p.modules[t].name].add(m.name)
    print("calls at run time: %d; callers per module: %s" % (
        p.call_count(), " ".join("%s:%d" % (n, len(c))
                                 for n, c in callers.items())))
    files = p.files()
    write_files(files, args.dir)
    for i, (kind, what) in enumerate(p.draw_edits(args.edits)):
        new = p.files()
        changed = changed_sources(files, new)
        assert changed, (kind, what)
        print("%d %s %s -> %s" % (i + 1, kind, what, " ".join(changed)))
        files = new


if __name__ == "__main__":
    main()
