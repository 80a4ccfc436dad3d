// composecheck validates docker-compose.yml without a Docker engine: compose-go loads it as `docker compose`
// does (the Compose specification's JSON schema on, variables interpolated from the example env file, so a
// required variable missing from it fails), then T1's rules are checked:
//   - every service of the product (services/<name>/__main__.py, plus the gateway) is in the file;
//   - every service has a healthcheck, and every depends_on waits for health (or a one-shot's success);
//   - every image names an exact tag (or digest), never `latest`;
//   - secrets have no defaults: a secret-like variable is only used as ${NAME:?message} (or ${NAME?message}),
//     and a secret-like environment entry is never a literal;
//   - every variable the file uses is listed in the example env file.
//
// Usage: composecheck -file docker-compose.yml -env-example .env.example -services-dir services -also gateway
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"go.yaml.in/yaml/v4"
)

// A variable or environment entry whose name says it holds a credential.
var secretName = regexp.MustCompile(`(?i)(PASSWORD|SECRET|TOKEN|ACCESS_KEY|API_KEY|PRIVATE_KEY|_AUTH$)`)

// ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, ${NAME:+alt}, ${NAME+alt};
// $NAME too. `$$` is an escaped dollar, not a variable.
var variable = regexp.MustCompile(`\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))`)

var healthyConditions = map[string]bool{
	types.ServiceConditionHealthy:               true,
	types.ServiceConditionCompletedSuccessfully: true,
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func main() {
	file := flag.String("file", "docker-compose.yml", "the compose file")
	envExample := flag.String("env-example", ".env.example", "the example env file listing every variable")
	projectDir := flag.String("project-dir", "", "directory relative paths resolve from (default: the file's)")
	servicesDir := flag.String("services-dir", "services", "directory whose <name>/__main__.py are services")
	var also list
	flag.Var(&also, "also", "a service that must be present besides those of -services-dir (repeatable)")
	flag.Parse()

	var found problems
	if err := check(*file, *envExample, *projectDir, *servicesDir, also, &found); err != nil {
		found.add("%v", err)
	}
	if len(found) > 0 {
		fmt.Fprintf(os.Stderr, "%s: %d problem(s):\n", *file, len(found))
		for _, problem := range found {
			fmt.Fprintf(os.Stderr, "  - %s\n", problem)
		}
		os.Exit(1)
	}
	fmt.Printf("%s: valid against the Compose specification and T1's rules\n", *file)
}

func check(file, envExample, projectDir, servicesDir string, also []string, found *problems) error {
	listed, required, err := readEnvExample(envExample)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("not YAML: %w", err)
	}
	checkVariables(&doc, listed, found)
	checkEnvironment(&doc, listed, found)

	project, err := load(file, projectDir, required)
	if err != nil {
		return fmt.Errorf("compose-go: %w", err)
	}
	wanted, err := productServices(servicesDir, also)
	if err != nil {
		return err
	}
	services := project.AllServices()
	for _, name := range wanted {
		if _, ok := services[name]; !ok {
			found.add("service %q (a service of the product) is missing", name)
		}
	}
	names := make([]string, 0, len(services))
	for name := range services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		checkService(name, services[name], found)
	}
	return nil
}

// readEnvExample returns every variable the file lists (`NAME=value`, or `# NAME=value` for an optional
// one shown with its default) and the environment compose-go interpolates with: the uncommented ones, an
// empty value (a secret to fill in) replaced by a placeholder.
func readEnvExample(path string) (map[string]bool, []string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	entry := regexp.MustCompile(`^(#\s*)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)
	listed := map[string]bool{}
	var env []string
	for _, line := range strings.Split(string(raw), "\n") {
		match := entry.FindStringSubmatch(strings.TrimSpace(line))
		if match == nil {
			continue
		}
		name, value := match[2], match[3]
		listed[name] = true
		if match[1] != "" {
			continue
		}
		if value == "" {
			value = "placeholder-" + strings.ToLower(name)
		}
		env = append(env, name+"="+value)
	}
	return listed, env, nil
}

func load(file, projectDir string, env []string) (*types.Project, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	dir := projectDir
	if dir == "" {
		dir = filepath.Dir(abs)
	}
	// Neither the caller's environment nor a .env file: the result must not depend on who runs the check.
	// Schema validation is on (loader.Options.SkipValidation stays false), every profile is enabled.
	options, err := cli.NewProjectOptions(
		[]string{abs},
		cli.WithWorkingDirectory(dir),
		cli.WithEnv(env),
		cli.WithProfiles([]string{"*"}),
		cli.WithInterpolation(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		return nil, err
	}
	return options.LoadProject(context.Background())
}

// productServices: the compose names of services/<name>/__main__.py (underscores become hyphens, as DNS
// names want) and of `also`.
func productServices(dir string, also []string) ([]string, error) {
	mains, err := filepath.Glob(filepath.Join(dir, "*", "__main__.py"))
	if err != nil {
		return nil, err
	}
	if len(mains) == 0 {
		return nil, fmt.Errorf("no service found under %s (want <name>/__main__.py)", dir)
	}
	names := append([]string(nil), also...)
	for _, main := range mains {
		names = append(names, strings.ReplaceAll(filepath.Base(filepath.Dir(main)), "_", "-"))
	}
	sort.Strings(names)
	return names, nil
}

func checkService(name string, service types.ServiceConfig, found *problems) {
	health := service.HealthCheck
	switch {
	case health == nil:
		found.add("service %q has no healthcheck", name)
	case health.Disable || len(health.Test) == 0 || health.Test[0] == "NONE":
		found.add("service %q has its healthcheck disabled", name)
	}
	if service.Image == "" {
		found.add("service %q names no image (with build:, name the image it builds with a tag)", name)
	} else if err := checkImage(service.Image); err != nil {
		found.add("service %q: image %q %v", name, service.Image, err)
	}
	for dependency, how := range service.DependsOn {
		if !healthyConditions[how.Condition] {
			found.add("service %q depends on %q with condition %q (want %s or %s)", name, dependency,
				how.Condition, types.ServiceConditionHealthy, types.ServiceConditionCompletedSuccessfully)
		}
	}
}

func checkImage(image string) error {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Errorf("is not an image reference: %w", err)
	}
	if _, ok := named.(reference.Digested); ok {
		return nil
	}
	tagged, ok := named.(reference.Tagged)
	if !ok {
		return errors.New("has no tag (pin an exact version)")
	}
	if tagged.Tag() == "latest" {
		return errors.New("uses the tag latest (pin an exact version)")
	}
	return nil
}

// checkVariables: every variable is listed in the example env file, and a secret-like one is required
// (${NAME:?message}), never given a default or an alternative.
func checkVariables(node *yaml.Node, listed map[string]bool, found *problems) {
	walk(node, func(n *yaml.Node) {
		if n.Kind != yaml.ScalarNode {
			return
		}
		for _, match := range variable.FindAllStringSubmatch(n.Value, -1) {
			if match[1] == "$" {
				continue
			}
			name, operator := match[2], match[3]
			if name == "" {
				name = match[4]
			}
			if !listed[name] {
				found.add("line %d: variable %s is not listed in the example env file", n.Line, name)
			}
			if secretName.MatchString(name) && operator != ":?" && operator != "?" {
				found.add("line %d: secret %s must be required as ${%s:?message}, not %q", n.Line, name, name,
					match[0])
			}
		}
	})
}

// checkEnvironment: under a service's `environment`, a secret-like entry is a required variable (or a bare
// name passed through from the environment), never a literal or a default; a bare name is listed in the
// example env file like any variable.
func checkEnvironment(doc *yaml.Node, listed map[string]bool, found *problems) {
	services := lookup(root(doc), "services")
	if services == nil || services.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(services.Content); i += 2 {
		service := services.Content[i].Value
		for _, entry := range environmentEntries(lookup(resolve(services.Content[i+1]), "environment")) {
			if entry.bare {
				if !listed[entry.name] {
					found.add("line %d: %s of service %q is passed through but not listed in the example env file",
						entry.line, entry.name, service)
				}
				continue
			}
			if !secretName.MatchString(entry.name) {
				continue
			}
			if !strings.Contains(entry.value, "${") {
				found.add("line %d: %s of service %q is a literal secret; use ${NAME:?message}", entry.line,
					entry.name, service)
				continue
			}
			for _, match := range variable.FindAllStringSubmatch(entry.value, -1) {
				if match[1] != "$" && match[3] != ":?" && match[3] != "?" {
					found.add("line %d: %s of service %q has a default (%q); use ${NAME:?message}", entry.line,
						entry.name, service, match[0])
				}
			}
		}
	}
}

type envEntry struct {
	name, value string
	bare        bool // no value: taken from the environment compose runs in (.env included)
	line        int
}

// environmentEntries: the entries of a mapping (merge keys followed) or of a list of NAME=value.
func environmentEntries(node *yaml.Node) []envEntry {
	node = resolve(node)
	var entries []envEntry
	if node == nil {
		return entries
	}
	switch node.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value == "<<" {
				entries = append(entries, mergedEntries(node.Content[i+1])...)
				continue
			}
			value := resolve(node.Content[i+1])
			entries = append(entries, envEntry{
				name:  node.Content[i].Value,
				value: value.Value,
				bare:  value.Tag == "!!null",
				line:  node.Content[i].Line,
			})
		}
	case yaml.SequenceNode:
		for _, item := range node.Content {
			name, value, hasValue := strings.Cut(item.Value, "=")
			entries = append(entries, envEntry{name: name, value: value, bare: !hasValue, line: item.Line})
		}
	}
	return entries
}

func mergedEntries(node *yaml.Node) []envEntry {
	node = resolve(node)
	if node.Kind == yaml.SequenceNode {
		var entries []envEntry
		for _, item := range node.Content {
			entries = append(entries, environmentEntries(item)...)
		}
		return entries
	}
	return environmentEntries(node)
}

func root(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0]
	}
	return doc
}

func resolve(node *yaml.Node) *yaml.Node {
	for node != nil && node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	return node
}

func lookup(node *yaml.Node, key string) *yaml.Node {
	node = resolve(node)
	if node == nil || node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == key {
			return node.Content[i+1]
		}
	}
	return nil
}

func walk(node *yaml.Node, visit func(*yaml.Node)) {
	visit(node)
	for _, child := range node.Content {
		walk(child, visit)
	}
}
