// dockerfile-check parses Dockerfiles with BuildKit's own Dockerfile frontend
// (the parser and instruction decoder `docker build` uses) and runs its
// build-check linter rules (the `docker build --check` rule set that applies
// before LLB conversion), without a Docker daemon.
//
// It fails on: syntax errors, unknown instructions or flags (e.g. a bad
// RUN --mount option), parser warnings, any lint rule violation (plus
// JSONArgsRecommended for CMD/ENTRYPOINT), a FROM whose
// ${VAR} is not a declared global ARG, and a COPY --from naming neither an
// earlier stage nor an image reference.
//
// Usage: dockerfile-check DOCKERFILE...
package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

var varRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

func check(path string) []string {
	var problems []string
	report := func(line int, format string, args ...any) {
		loc := path
		if line > 0 {
			loc = fmt.Sprintf("%s:%d", path, line)
		}
		problems = append(problems, loc+": "+fmt.Sprintf(format, args...))
	}

	f, err := os.Open(path)
	if err != nil {
		report(0, "%v", err)
		return problems
	}
	defer f.Close()

	res, err := parser.Parse(f)
	if err != nil {
		report(0, "parse error: %v", err)
		return problems
	}
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil {
			line = w.Location.Start.Line
		}
		report(line, "parser warning: %s", w.Short)
	}

	lint := linter.New(&linter.Config{
		Warn: func(rule, _ string, url, msg string, loc []parser.Range) {
			line := 0
			if len(loc) > 0 {
				line = loc[0].Start.Line
			}
			report(line, "lint %s: %s (%s)", rule, msg, url)
		},
	})
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		report(0, "%v", err)
		return problems
	}

	globals := map[string]bool{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			globals[kv.Key] = true
		}
	}
	seen := map[string]bool{}
	for _, st := range stages {
		line := 0
		if len(st.Location) > 0 {
			line = st.Location[0].Start.Line
		}
		for _, m := range varRef.FindAllStringSubmatch(st.BaseName, -1) {
			if !globals[m[1]] {
				report(line, "FROM %s uses $%s, which is not a global ARG", st.BaseName, m[1])
			}
		}
		hasShell := false
		for _, cmd := range st.Commands {
			cl := 0
			if loc := cmd.Location(); len(loc) > 0 {
				cl = loc[0].Start.Line
			}
			switch c := cmd.(type) {
			case *instructions.ShellCommand:
				hasShell = true
			case *instructions.RunCommand:
				// Decode the RUN --mount options fully (BuildKit defers this
				// to build time); variables are left as written.
				if err := c.Expand(func(w string) (string, error) { return w, nil }); err != nil {
					report(cl, "RUN --mount: %v", err)
				}
			case *instructions.CmdCommand:
				if c.PrependShell && !hasShell {
					lint.Run(&linter.RuleJSONArgsRecommended, c.Location(), linter.RuleJSONArgsRecommended.Format(c.Name()))
				}
			case *instructions.EntrypointCommand:
				if c.PrependShell && !hasShell {
					lint.Run(&linter.RuleJSONArgsRecommended, c.Location(), linter.RuleJSONArgsRecommended.Format(c.Name()))
				}
			case *instructions.CopyCommand:
				from := strings.ToLower(c.From)
				if from != "" && !seen[from] && !strings.ContainsAny(from, ":/.@") {
					report(cl, "COPY --from=%s names no earlier stage (and is not an image reference)", c.From)
				}
			}
		}
		if st.Name != "" {
			seen[strings.ToLower(st.Name)] = true
		}
	}
	if len(stages) == 0 {
		report(0, "no build stage")
	}
	return problems
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-check DOCKERFILE...")
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[1:] {
		problems := check(path)
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "dockerfile-check: "+p)
		}
		if len(problems) > 0 {
			failed = true
		} else {
			fmt.Printf("dockerfile-check: %s: OK\n", path)
		}
	}
	if failed {
		os.Exit(1)
	}
}
