// Command helm-render renders Helm charts client-side with Helm's own engine, chart loader and
// values-schema validation (helm.sh/helm/v4), the way `helm template` does, without pkg/action
// (which does not compile to WebAssembly). The same source is built natively (the test oracle)
// and with GOOS=wasip1 GOARCH=wasm (the module @homeops/helm runs under node:wasi).
//
// Protocol: a batch is one JSON object {"requests": [Request...]}, its answer one JSON object
// {"results": [Result...]} in the same order. A request that fails has "error" set and the
// others are still rendered. The command reads a batch from stdin and writes the answer to
// stdout (exit code 0 unless the batch itself cannot be read); the WebAssembly build is a
// reactor that stays alive and renders a batch per call of its exports (export.go).
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/loader"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
	"helm.sh/helm/v4/pkg/strvals"

	// Helm's pkg/engine, compiled from Helm's files plus internal/engine/cache.go (see there)
	"github.com/homeops/tools/helm-render/internal/engine"
)

// Request is one chart × values render.
type Request struct {
	// ID is echoed in the result.
	ID string `json:"id,omitempty"`
	// Chart is a directory or a .tgz path (inside a preopened directory under WASI), or
	// Archive is the chart's .tgz bytes (base64 in JSON).
	Chart   string `json:"chart,omitempty"`
	Archive []byte `json:"archive,omitempty"`
	// Values are the HelmRelease's inline values (spec.values).
	Values map[string]any `json:"values,omitempty"`
	// ValuesFrom are the resolved spec.valuesFrom entries, in order; merged with Values
	// as helm-controller does (fluxcd/pkg/chartutil.ChartValuesFromReferences).
	ValuesFrom []ValuesSource `json:"valuesFrom,omitempty"`
	// ValuesFiles replace the chart's own values with these chart files merged in order
	// (source-controller's HelmChart spec.valuesFiles).
	ValuesFiles []string `json:"valuesFiles,omitempty"`
	// IgnoreMissingValuesFiles skips listed values files the chart does not contain.
	IgnoreMissingValuesFiles bool        `json:"ignoreMissingValuesFiles,omitempty"`
	Release                  ReleaseOpts `json:"release"`
	KubeVer                  string      `json:"kubeVersion,omitempty"`
	APIVers                  []string    `json:"apiVersions,omitempty"`
	SkipSchema               bool        `json:"skipSchemaValidation,omitempty"`
	// IncludeCRDs puts the chart's crds/ files at the start of "manifest" (as
	// `helm template --include-crds`); they are always listed under "crds".
	IncludeCRDs bool `json:"includeCrds,omitempty"`
	// SkipTests drops test hooks from "manifest" (as `helm template --skip-tests`).
	SkipTests bool `json:"skipTests,omitempty"`
	// DisableHooks drops hooks from "manifest" (as `helm template --no-hooks`).
	DisableHooks bool `json:"disableHooks,omitempty"`
	// SubNotes renders the NOTES.txt of subcharts too.
	SubNotes bool `json:"subNotes,omitempty"`
}

// ValuesSource is the data of one valuesFrom key (a ConfigMap's or a decoded Secret's).
type ValuesSource struct {
	// Name names the reference in error messages, e.g. "ConfigMap 'ns/name' with key 'values.yaml'".
	Name       string `json:"name,omitempty"`
	Data       string `json:"data"`
	TargetPath string `json:"targetPath,omitempty"`
}

// ReleaseOpts are the .Release fields.
type ReleaseOpts struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Revision  int    `json:"revision,omitempty"`
	IsUpgrade bool   `json:"isUpgrade,omitempty"`
}

// Result is the outcome of one request.
type Result struct {
	ID    string     `json:"id,omitempty"`
	Chart *ChartInfo `json:"chart,omitempty"`
	// Manifest is exactly what `helm template` prints for the same inputs.
	Manifest  string     `json:"manifest"`
	Manifests []Document `json:"manifests"`
	Hooks     []Document `json:"hooks"`
	CRDs      []Document `json:"crds"`
	Notes     string     `json:"notes"`
	Error     *Failure   `json:"error,omitempty"`
}

// ChartInfo names the rendered chart.
type ChartInfo struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	AppVersion string `json:"appVersion,omitempty"`
	APIVersion string `json:"apiVersion"`
	Type       string `json:"type,omitempty"`
}

// Document is one rendered YAML document with the template it came from.
type Document struct {
	Path    string   `json:"path"`
	Kind    string   `json:"kind,omitempty"`
	Name    string   `json:"name,omitempty"`
	Events  []string `json:"events,omitempty"`
	Content string   `json:"content"`
}

// Failure is an error with Helm's own message and the stage it happened in.
type Failure struct {
	// Stage is one of: load, dependencies, kubeVersion, values, schema, render, sort.
	Stage   string `json:"stage"`
	Message string `json:"message"`
}

// templates reuses parsed template sets across the requests of this process (engine.RenderCached);
// nil with --no-template-cache, which renders with Helm's own engine.Render (the native oracle runs so).
var templates = engine.NewTemplateCache()

func init() {
	// Helm logs warnings (e.g. a non-bool condition) through slog; keep stdout JSON-only.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// main is the command (the native oracle): one batch from stdin to stdout. The WebAssembly module is a
// reactor instead (export.go): the host calls renderBatch through exports, as often as it likes.
func main() {
	for _, arg := range os.Args[1:] {
		if arg == "--no-template-cache" {
			templates = nil
		}
	}
	in, err := io.ReadAll(os.Stdin)
	var out []byte
	if err == nil {
		out, err = renderBatch(in)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "helm-render: %v\n", err)
		os.Exit(2)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		fmt.Fprintf(os.Stderr, "helm-render: cannot write the result: %v\n", err)
		os.Exit(2)
	}
}

// renderBatch renders one {"requests": [...]} batch to its {"results": [...]} JSON (newline-terminated).
func renderBatch(in []byte) ([]byte, error) {
	var batch struct {
		Requests []Request `json:"requests"`
	}
	if err := json.Unmarshal(in, &batch); err != nil {
		return nil, fmt.Errorf("cannot read the request: %w", err)
	}
	out := struct {
		Results []Result `json:"results"`
	}{Results: make([]Result, 0, len(batch.Requests))}
	for i := range batch.Requests {
		out.Results = append(out.Results, render(&batch.Requests[i]))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("cannot write the result: %w", err)
	}
	return b.Bytes(), nil
}

func fail(res Result, stage string, err error) Result {
	res.Error = &Failure{Stage: stage, Message: err.Error()}
	return res
}

func render(req *Request) Result {
	res := Result{ID: req.ID, Manifests: []Document{}, Hooks: []Document{}, CRDs: []Document{}}

	ch, err := loadChart(req)
	if err != nil {
		return fail(res, "load", err)
	}
	res.Chart = &ChartInfo{Name: ch.Metadata.Name, Version: ch.Metadata.Version, AppVersion: ch.Metadata.AppVersion, APIVersion: ch.Metadata.APIVersion, Type: ch.Metadata.Type}

	// As `helm template` (pkg/cmd/install.go): library charts are not installable, and
	// declared dependencies must be present.
	if ch.Metadata.Type != "" && ch.Metadata.Type != "application" {
		return fail(res, "load", fmt.Errorf("%s charts are not installable", ch.Metadata.Type))
	}
	if req := ch.Metadata.Dependencies; len(req) > 0 {
		if err := checkDependencies(ch, req); err != nil {
			return fail(res, "dependencies", fmt.Errorf("an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: %w", err))
		}
	}

	if len(req.ValuesFiles) > 0 {
		if err := replaceChartValues(ch, req.ValuesFiles, req.IgnoreMissingValuesFiles); err != nil {
			return fail(res, "values", err)
		}
	}
	vals, err := composeValues(req.Values, req.ValuesFrom)
	if err != nil {
		return fail(res, "values", err)
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return fail(res, "dependencies", fmt.Errorf("chart dependencies processing failed: %w", err))
	}

	caps := common.DefaultCapabilities.Copy()
	if req.KubeVer != "" {
		kv, err := common.ParseKubeVersion(req.KubeVer)
		if err != nil {
			return fail(res, "kubeVersion", fmt.Errorf("invalid kube version %q: %w", req.KubeVer, err))
		}
		caps.KubeVersion = *kv
	}
	caps.APIVersions = append(caps.APIVersions, req.APIVers...)
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return fail(res, "kubeVersion", fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", ch.Metadata.KubeVersion, caps.KubeVersion.Version))
	}

	revision := req.Release.Revision
	if revision == 0 {
		revision = 1
	}
	options := common.ReleaseOptions{
		Name:      req.Release.Name,
		Namespace: req.Release.Namespace,
		Revision:  revision,
		IsInstall: !req.Release.IsUpgrade,
		IsUpgrade: req.Release.IsUpgrade,
	}
	top, err := util.ToRenderValuesWithSchemaValidation(ch, vals, options, caps, req.SkipSchema)
	if err != nil {
		if strings.HasPrefix(err.Error(), "values don't meet the specifications of the schema") {
			res.Error = &Failure{Stage: "schema", Message: sortSchemaErrors(err.Error())}
			return res
		}
		return fail(res, "values", err)
	}

	// A client-side render: no cluster, so `lookup` returns empty maps (as `helm template`).
	var e engine.Engine
	var files map[string]string
	if templates == nil {
		files, err = e.Render(ch, top)
	} else {
		files, err = e.RenderCached(context.Background(), templates, ch, top)
	}
	if err != nil {
		return fail(res, "render", err)
	}

	// Helm walks the rendered files in Go map order (random from run to run); sorted here so
	// that the same inputs always give the same notes.
	names := make([]string, 0, len(files))
	for k := range files {
		names = append(names, k)
	}
	sort.Strings(names)
	var notes bytes.Buffer
	for _, k := range names {
		v := files[k]
		if strings.HasSuffix(k, "NOTES.txt") {
			if req.SubNotes || k == path.Join(ch.Name(), "templates", "NOTES.txt") {
				if notes.Len() > 0 {
					notes.WriteString("\n")
				}
				notes.WriteString(v)
			}
			delete(files, k)
		}
	}
	res.Notes = notes.String()

	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return fail(res, "sort", err)
	}

	var b bytes.Buffer
	for _, crd := range ch.CRDObjects() {
		res.CRDs = append(res.CRDs, Document{Path: crd.Filename, Content: string(crd.File.Data)})
		if req.IncludeCRDs {
			fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", crd.Filename, string(crd.File.Data))
		}
	}
	for _, m := range manifests {
		doc := Document{Path: m.Name, Kind: m.Head.Kind, Content: m.Content}
		if m.Head.Metadata != nil {
			doc.Name = m.Head.Metadata.Name
		}
		res.Manifests = append(res.Manifests, doc)
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.Name, m.Content)
	}
	var manifest bytes.Buffer
	fmt.Fprintln(&manifest, strings.TrimSpace(b.String()))
	for _, h := range hooks {
		events := make([]string, 0, len(h.Events))
		for _, ev := range h.Events {
			events = append(events, ev.String())
		}
		res.Hooks = append(res.Hooks, Document{Path: h.Path, Kind: h.Kind, Name: h.Name, Events: events, Content: h.Manifest})
		if req.DisableHooks || (req.SkipTests && isTestHook(events)) {
			continue
		}
		fmt.Fprintf(&manifest, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
	}
	res.Manifest = manifest.String()
	return res
}

// loaded charts of this batch, by path or archive digest: a batch renders the same chart for many
// releases, and loading (file reads, YAML parsing) is a third of a render under WASI.
var loadedCharts = map[string]*chart.Chart{}

// loadChart returns a private copy of the requested chart: rendering mutates a chart (dependency
// conditions, aliases, import-values, valuesFiles), so every request gets its own clone.
func loadChart(req *Request) (*chart.Chart, error) {
	var key string
	switch {
	case len(req.Archive) > 0:
		sum := sha256.Sum256(req.Archive)
		key = "archive:" + hex.EncodeToString(sum[:])
	case req.Chart != "":
		key = "path:" + req.Chart
	default:
		return nil, errors.New("no chart given (chart path or archive)")
	}
	if ch, ok := loadedCharts[key]; ok {
		return cloneChart(ch), nil
	}
	var loaded any
	var err error
	if len(req.Archive) > 0 {
		loaded, err = loader.LoadArchive(bytes.NewReader(req.Archive))
	} else {
		loaded, err = loader.Load(req.Chart)
	}
	if err != nil {
		return nil, err
	}
	ch, ok := loaded.(*chart.Chart)
	if !ok {
		return nil, errors.New("invalid chart apiVersion")
	}
	loadedCharts[key] = ch
	return cloneChart(ch), nil
}

// cloneChart copies everything a render may change (metadata and its dependency list, values, the
// subchart tree); templates, files and schemas are shared read-only.
func cloneChart(c *chart.Chart) *chart.Chart {
	out := *c
	if c.Metadata != nil {
		md := *c.Metadata
		if c.Metadata.Dependencies != nil {
			md.Dependencies = make([]*chart.Dependency, len(c.Metadata.Dependencies))
			for i, d := range c.Metadata.Dependencies {
				dd := *d
				md.Dependencies[i] = &dd
			}
		}
		out.Metadata = &md
	}
	if c.Values != nil {
		out.Values = copyValue(c.Values).(map[string]any)
	}
	deps := make([]*chart.Chart, 0, len(c.Dependencies()))
	for _, d := range c.Dependencies() {
		deps = append(deps, cloneChart(d))
	}
	out.SetDependencies(deps...)
	return &out
}

func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = copyValue(x)
		}
		return m
	case common.Values:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = copyValue(x)
		}
		return common.Values(m)
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = copyValue(x)
		}
		return l
	default:
		return v
	}
}

// composeValues merges valuesFrom in order and the inline values last, exactly as
// fluxcd/pkg/chartutil.ChartValuesFromReferences does (including its targetPath handling).
func composeValues(values map[string]any, refs []ValuesSource) (map[string]any, error) {
	if values == nil {
		values = map[string]any{}
	}
	result := map[string]any{}
	for _, ref := range refs {
		if ref.TargetPath != "" {
			result = mergeMaps(result, values)
			if err := replacePathValue(result, ref.TargetPath, ref.Data); err != nil {
				return nil, fmt.Errorf("could not resolve %s: failed to merge value: %w", ref.Name, err)
			}
			continue
		}
		v, err := common.ReadValues([]byte(ref.Data))
		if err != nil {
			return nil, fmt.Errorf("could not resolve %s: failed to read values data: %w", ref.Name, err)
		}
		result = mergeMaps(result, v)
	}
	return mergeMaps(result, values), nil
}

// mergeMaps is fluxcd/pkg/chartutil.MergeMaps (itself Helm 3.3's values merge).
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v, ok := v.(map[string]any); ok {
			if bv, ok := out[k]; ok {
				if bv, ok := bv.(map[string]any); ok {
					out[k] = mergeMaps(bv, v)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

// replacePathValue is fluxcd/pkg/chartutil.ReplacePathValue: Helm's --set parser.
func replacePathValue(values map[string]any, path, value string) error {
	single, double := "'", `"`
	if (strings.HasPrefix(value, single) && strings.HasSuffix(value, single)) ||
		(strings.HasPrefix(value, double) && strings.HasSuffix(value, double)) {
		return strvals.ParseIntoString(path+"="+strings.Trim(value, single+double), values)
	}
	return strvals.ParseInto(path+"="+value, values)
}

// replaceChartValues makes the merge of the named chart files the chart's values, as
// source-controller does when a HelmChart lists valuesFiles.
func replaceChartValues(ch *chart.Chart, files []string, ignoreMissing bool) error {
	merged := map[string]any{}
	for _, name := range files {
		var data []byte
		found := false
		for _, f := range ch.Raw {
			if f.Name == name {
				data, found = f.Data, true
				break
			}
		}
		if !found {
			if ignoreMissing {
				continue
			}
			return fmt.Errorf("no values file found at path '%s'", name)
		}
		v, err := common.ReadValues(data)
		if err != nil {
			return fmt.Errorf("failed to parse values file '%s': %w", name, err)
		}
		merged = mergeMaps(merged, v)
	}
	ch.Values = merged
	return nil
}

// sortSchemaErrors orders the "- at '/path': ..." lines of each chart's block of a schema
// failure: the JSON Schema validator reports them in Go map order (random from run to run).
func sortSchemaErrors(msg string) string {
	lines := strings.Split(msg, "\n")
	for i := 0; i < len(lines); {
		if !strings.HasPrefix(lines[i], "- ") {
			i++
			continue
		}
		j := i
		for j < len(lines) && strings.HasPrefix(lines[j], "- ") {
			j++
		}
		sort.Strings(lines[i:j])
		i = j
	}
	return strings.Join(lines, "\n")
}

func isTestHook(events []string) bool {
	for _, ev := range events {
		if ev == "test" {
			return true
		}
	}
	return false
}

// checkDependencies mirrors pkg/action.CheckDependencies (not importable here).
func checkDependencies(ch *chart.Chart, reqs []*chart.Dependency) error {
	var missing []string
	for _, r := range reqs {
		found := false
		for _, d := range ch.Dependencies() {
			if d.Name() == r.Name {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, r.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("found in Chart.yaml, but missing in charts/ directory: %s", strings.Join(missing, ", "))
	}
	return nil
}
