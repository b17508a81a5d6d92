// compose-check validates Compose files the way `docker compose config` does,
// without a Docker daemon: it loads them with compose-go (the reference
// implementation of the Compose Specification, the same loader Docker Compose
// uses), which validates against the Compose JSON schema, interpolates
// variables, normalises the model and checks its consistency (e.g. depends_on
// references, undefined networks/volumes/secrets).
//
// On top of that it checks that every local build context and Dockerfile
// exists, and (unless -strict=false) treats the loader's warnings, e.g. an
// unset variable or the obsolete `version` key, as errors.
//
// Usage: compose-check [-project-directory DIR] [-print] [-strict=false] [-f FILE]...
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/sirupsen/logrus"
)

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// warnings collects every warning the loader logs.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

func (w *warnings) Fire(e *logrus.Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, e.Message)
	return nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "compose-check: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	var files fileList
	flag.Var(&files, "f", "Compose file (repeatable; default: compose.yaml/docker-compose.yml discovery)")
	projectDir := flag.String("project-directory", "", "project directory (default: directory of the first file)")
	printModel := flag.Bool("print", false, "print the resolved project as YAML (like `docker compose config`)")
	strict := flag.Bool("strict", true, "treat loader warnings as errors")
	flag.Parse()
	if flag.NArg() > 0 {
		fail("unexpected arguments %q (use -f FILE)", flag.Args())
	}

	hook := &warnings{}
	logrus.AddHook(hook)
	logrus.SetOutput(os.Stderr)

	opts := []cli.ProjectOptionsFn{
		cli.WithOsEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
	}
	if *projectDir != "" {
		opts = append(opts, cli.WithWorkingDirectory(*projectDir))
	}
	options, err := cli.NewProjectOptions(files, opts...)
	if err != nil {
		fail("%v", err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		msg := err.Error()
		// The schema's "additionalProperties: false" surfaces as "<path> false
		// schema" from the JSON-schema library; say what it means.
		if strings.HasSuffix(msg, " false schema") {
			msg = strings.TrimSuffix(msg, " false schema") + ": key not allowed by the Compose Specification"
		}
		fail("%s", msg)
	}

	var problems []string
	for _, name := range project.ServiceNames() {
		svc := project.Services[name]
		if svc.Build == nil || svc.Build.Context == "" {
			continue
		}
		ctxDir := svc.Build.Context
		if strings.Contains(ctxDir, "://") || strings.HasPrefix(ctxDir, "git@") {
			continue // remote build context: nothing to check locally
		}
		if fi, err := os.Stat(ctxDir); err != nil || !fi.IsDir() {
			problems = append(problems, fmt.Sprintf("service %q: build context %s is not a directory", name, ctxDir))
			continue
		}
		if svc.Build.DockerfileInline != "" {
			continue
		}
		dockerfile := svc.Build.Dockerfile
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		if !filepath.IsAbs(dockerfile) {
			dockerfile = filepath.Join(ctxDir, dockerfile)
		}
		if fi, err := os.Stat(dockerfile); err != nil || fi.IsDir() {
			problems = append(problems, fmt.Sprintf("service %q: Dockerfile %s does not exist", name, dockerfile))
		}
	}
	if *strict {
		for _, w := range hook.msgs {
			problems = append(problems, "warning treated as error: "+w)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "compose-check: %s: %s\n", strings.Join(project.ComposeFiles, ","), p)
		}
		os.Exit(1)
	}

	if *printModel {
		out, err := project.MarshalYAML()
		if err != nil {
			fail("%v", err)
		}
		os.Stdout.Write(out)
		return
	}
	fmt.Printf("compose-check: %s: OK (project %q, services: %s)\n",
		strings.Join(project.ComposeFiles, ","), project.Name, strings.Join(project.ServiceNames(), " "))
}
