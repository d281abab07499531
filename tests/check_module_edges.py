#!/usr/bin/env python3
"""The engine's house rules, checked against its sources and its build.

Usage: check_module_edges.py EDGES_FILE APP_DIR

EDGES_FILE is what app/engine/CMakeLists.txt writes at generate time: one line per
module, "NAME: " and the module target's LINK_LIBRARIES as the build uses them. So the
edges this test checks are the ones the linker sees; there is no second list to keep.

Fails (exit 1, one line per finding) when
  - a file in app/engine/MOD includes "engine/OTHER/..." and sockstep_MOD does not
    link sockstep_OTHER (an edge that is not declared), or names no module at all;
  - an engine file includes anything of the application outside the engine (ui/, cli/,
    check/, trace/), or a GUI header;
  - the declared module graph has a cycle (an arrow pointing back up);
  - live/ reaches lesson/ (a live session needs no lesson), or app/trace includes a
    header of a module that reaches lesson/;
  - a file in app/engine sits in no module folder, or a folder is no module.
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
OUTSIDE = ("ui/", "cli/", "check/", "trace/")
GUI = ("imgui", "GLFW/", "GL/", "backends/imgui")
# Modules that must not reach another, directly or through others, and why.
FORBIDDEN = [("live", "lesson", "a live session (serve, dial, trace) runs no lesson")]


def read_edges(path):
    modules = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if not line.strip():
            continue
        name, _, links = line.partition(":")
        libs = [lib.strip() for lib in links.split(";") if lib.strip()]
        # A target linked from another directory carries a "::@(id)" suffix.
        modules[name.strip()] = [re.sub(r"::@.*$", "", lib) for lib in libs]
    return modules


def reaches(graph, start):
    seen, todo = set(), [start]
    while todo:
        for dep in graph.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def find_cycle(graph):
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                return path[path.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    edges_file, app = sys.argv[1], pathlib.Path(sys.argv[2])
    engine = app / "engine"
    links = read_edges(edges_file)
    modules = set(links)
    problems = []

    graph = {}
    for name, libs in links.items():
        graph[name] = set()
        for lib in libs:
            if lib.startswith("sockstep_"):
                dep = lib[len("sockstep_"):]
                if dep in modules:
                    graph[name].add(dep)
                else:
                    problems.append(f"sockstep_{name} links {lib}, which is not an engine module")

    for entry in sorted(engine.iterdir()):
        if entry.is_file() and entry.name not in ("CMakeLists.txt",):
            problems.append(f"{entry.relative_to(app.parent)}: in no module folder")
        elif entry.is_dir() and entry.name not in modules:
            problems.append(f"{entry.relative_to(app.parent)}/: a folder that is no module library")

    used = {name: set() for name in modules}
    for module in sorted(modules):
        for source in sorted((engine / module).rglob("*")):
            if source.suffix not in (".hpp", ".cpp", ".h"):
                continue
            where = source.relative_to(app.parent)
            text = source.read_text(errors="replace")
            for match in INCLUDE.finditer(text):
                kind, header = match.groups()
                line = text.count("\n", 0, match.start()) + 1
                at = f"{where}:{line}"
                if kind == "<":
                    if header.startswith(GUI):
                        problems.append(f"{at}: includes <{header}>: the engine draws nothing")
                    continue
                if header.startswith(OUTSIDE):
                    problems.append(f'{at}: includes "{header}": the engine includes nothing above it')
                    continue
                parts = header.split("/")
                if parts[0] != "engine" or len(parts) < 3:
                    problems.append(f'{at}: includes "{header}": engine headers are "engine/<module>/<file>"')
                    continue
                target = parts[1]
                if target not in modules:
                    problems.append(f'{at}: includes "{header}": there is no module {target}')
                elif target != module:
                    used[module].add(target)
                    if target not in graph[module]:
                        problems.append(f'{at}: includes "{header}", but sockstep_{module} does not link '
                                        f"sockstep_{target} (app/engine/CMakeLists.txt)")

    cycle = find_cycle(graph)
    if cycle:
        problems.append("the module graph has a cycle: " + " -> ".join(cycle))

    for low, high, why in FORBIDDEN:
        if high in reaches(graph, low) or high in used.get(low, ()):
            problems.append(f"{low} reaches {high}: {why}")

    trace = app / "trace"
    if trace.is_dir():
        for source in sorted(trace.glob("*.[ch]pp")):
            text = source.read_text(errors="replace")
            for match in INCLUDE.finditer(text):
                parts = match.group(2).split("/")
                if parts[0] == "engine" and len(parts) >= 3 and parts[1] in modules:
                    if parts[1] == "lesson" or "lesson" in reaches(graph, parts[1]):
                        line = text.count("\n", 0, match.start()) + 1
                        problems.append(f'{source.relative_to(app.parent)}:{line}: includes "{match.group(2)}", '
                                        "which reaches lesson: the tracer runs programs, not lessons")

    for problem in problems:
        print(problem)
    for module in sorted(modules):
        unused = graph[module] - used[module]
        if unused:
            print(f"note: sockstep_{module} links {', '.join(sorted(unused))} but includes nothing of it")
    if problems:
        print(f"{len(problems)} problem(s) with the engine's module edges")
        return 1
    for module in sorted(modules, key=lambda m: (len(reaches(graph, m)), m)):
        print(f"{module:8} -> {' '.join(sorted(graph[module])) or '(nothing)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
