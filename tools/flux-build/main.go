// Command flux-build is a test oracle for @homeops/manifests: it builds one Flux Kustomization the way
// kustomize-controller does, with the library the controller uses (github.com/fluxcd/pkg/kustomize):
// generate/patch kustomization.yaml from the Kustomization spec, kustomize build, postBuild substitution
// (ConfigMaps/Secrets for substituteFrom come from --vars-objects through a fake client), commonMetadata.
//
// Usage: flux-build --root <repo> --kustomization <ks.yaml> [--vars-objects <objs.yaml>]
// [--source-ignore <patterns file>] [--strict=true]
// Prints a JSON array of the built objects on stdout; on a build error prints the error on stderr and
// exits 1; bad usage exits 2.
//
// Batch mode (corpus measurements): flux-build --root <repo> --batch <builds.json> [--source-ignore <file>]
// copies the repository once and builds every entry of the JSON array
// [{"kustomization": {...}, "varsObjects": "<yaml>", "strict": true}, ...] in turn (each build's generated
// kustomization.yaml is restored before the next); prints a JSON array of {"objects": [...]} or
// {"error": "..."}, one per entry, in order.
//
// flux-build --yaml-to-json reads multi-document YAML (e.g. `kustomize build` output) on stdin and prints
// it as a JSON array, decoded as the Go side decodes it (sigs.k8s.io/yaml).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/sourceignore"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"
)

func main() {
	root := flag.String("root", "", "repository root (copied to a temp dir before building)")
	ksFile := flag.String("kustomization", "", "file with the Flux Kustomization object (YAML or JSON)")
	varsFile := flag.String("vars-objects", "", "multi-document YAML of ConfigMaps/Secrets visible to substituteFrom")
	strict := flag.Bool("strict", true, "strict post-build substitution (Flux 2.9 controller default)")
	ignoreFile := flag.String("source-ignore", "", "file with the GitRepository's spec.ignore patterns")
	batchFile := flag.String("batch", "", "JSON array of builds to run over one copy of the repository")
	yamlToJSON := flag.Bool("yaml-to-json", false, "convert multi-document YAML on stdin to a JSON array")
	flag.Parse()
	if *yamlToJSON {
		out, err := convertYAML(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, err.Error())
			os.Exit(1)
		}
		_, _ = os.Stdout.Write(out)
		return
	}
	if *root != "" && *batchFile != "" {
		out, err := runBatch(*root, *batchFile, *ignoreFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err.Error())
			os.Exit(2)
		}
		_, _ = os.Stdout.Write(out)
		return
	}
	if *root == "" || *ksFile == "" {
		fmt.Fprintln(os.Stderr, "usage: flux-build --root <repo> --kustomization <file> [--vars-objects <file>] [--strict=true|false]")
		os.Exit(2)
	}
	out, err := run(*root, *ksFile, *varsFile, *ignoreFile, *strict)
	if err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}
	_, _ = os.Stdout.Write(out)
}

func run(root, ksFile, varsFile, ignoreFile string, strict bool) ([]byte, error) {
	raw, err := os.ReadFile(ksFile)
	if err != nil {
		return nil, err
	}
	var ks unstructured.Unstructured
	if err := yaml.Unmarshal(raw, &ks.Object); err != nil {
		return nil, fmt.Errorf("kustomization: %w", err)
	}
	var vars []byte
	if varsFile != "" {
		if vars, err = os.ReadFile(varsFile); err != nil {
			return nil, err
		}
	}
	tmp, err := copyRoot(root, ignoreFile)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	result, err := build(tmp, ks, vars, strict)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(result, "", "  ")
}

func convertYAML(r io.Reader) ([]byte, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	out := []map[string]any{}
	for {
		obj := map[string]any{}
		if err := dec.Decode(&obj); err != nil {
			if err == io.EOF {
				break
			}
			return nil, err
		}
		if len(obj) > 0 {
			out = append(out, obj)
		}
	}
	return json.Marshal(out)
}

type batchEntry struct {
	Kustomization map[string]any `json:"kustomization"`
	VarsObjects   string         `json:"varsObjects"`
	Strict        *bool          `json:"strict"`
}

type batchResult struct {
	Objects []map[string]any `json:"objects,omitempty"`
	Error   string           `json:"error,omitempty"`
}

func runBatch(root, batchFile, ignoreFile string) ([]byte, error) {
	raw, err := os.ReadFile(batchFile)
	if err != nil {
		return nil, err
	}
	var entries []batchEntry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("batch: %w", err)
	}
	tmp, err := copyRoot(root, ignoreFile)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	results := make([]batchResult, 0, len(entries))
	for _, e := range entries {
		strict := e.Strict == nil || *e.Strict
		objs, err := build(tmp, unstructured.Unstructured{Object: e.Kustomization}, []byte(e.VarsObjects), strict)
		if err != nil {
			results = append(results, batchResult{Error: err.Error()})
			continue
		}
		if objs == nil {
			objs = []map[string]any{}
		}
		results = append(results, batchResult{Objects: objs})
	}
	return json.Marshal(results)
}

// copyRoot copies the repository into a temp dir as source-controller packs the artifact.
func copyRoot(root, ignoreFile string) (string, error) {
	tmp, err := os.MkdirTemp("", "flux-build-")
	if err != nil {
		return "", err
	}
	ignore := ""
	if ignoreFile != "" {
		data, err := os.ReadFile(ignoreFile)
		if err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
		ignore = string(data)
	}
	if err := copyTree(root, tmp, ignore); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return tmp, nil
}

// build runs one Flux Kustomization over the artifact in tmp; the generated kustomization.yaml is
// restored afterwards so that the next build of a batch sees the original tree.
func build(tmp string, ks unstructured.Unstructured, vars []byte, strict bool) ([]map[string]any, error) {
	objs, err := readObjects(vars)
	if err != nil {
		return nil, err
	}
	path, _, _ := unstructured.NestedString(ks.Object, "spec", "path")
	dirPath, err := filepath.Abs(filepath.Join(tmp, strings.TrimPrefix(path, "./")))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dirPath); err != nil {
		return nil, fmt.Errorf("kustomization path not found: %w", err)
	}

	gen := kustomize.NewGenerator(tmp, ks)
	action, err := gen.WriteFile(dirPath, kustomize.WithSaveOriginalKustomization())
	if err != nil {
		return nil, fmt.Errorf("kustomize create failed: %w", err)
	}
	defer func() { _ = kustomize.CleanDirectory(dirPath, action) }()
	m, err := kustomize.SecureBuild(tmp, dirPath, false)
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}

	scheme := runtime.NewScheme()
	_ = corev1.AddToScheme(scheme)
	kube := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()

	_, hasPostBuild, _ := unstructured.NestedMap(ks.Object, "spec", "postBuild")
	for _, res := range m.Resources() {
		if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
			return nil, fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %v", res.String())
		}
		if hasPostBuild {
			outRes, err := kustomize.SubstituteVariables(context.Background(), kube, ks, res,
				kustomize.SubstituteWithStrict(strict))
			if err != nil {
				return nil, fmt.Errorf("post build failed for '%s': %w", res.GetName(), err)
			}
			if outRes != nil {
				if _, err := m.Replace(res); err != nil {
					return nil, err
				}
			}
		}
	}

	labels, _, _ := unstructured.NestedStringMap(ks.Object, "spec", "commonMetadata", "labels")
	annotations, _, _ := unstructured.NestedStringMap(ks.Object, "spec", "commonMetadata", "annotations")
	result := []map[string]any{}
	for _, res := range m.Resources() {
		data, err := res.AsYAML()
		if err != nil {
			return nil, err
		}
		obj := map[string]any{}
		if err := yaml.Unmarshal(data, &obj); err != nil {
			return nil, err
		}
		u := unstructured.Unstructured{Object: obj}
		if len(labels) > 0 {
			l := u.GetLabels()
			if l == nil {
				l = map[string]string{}
			}
			for k, v := range labels {
				l[k] = v
			}
			u.SetLabels(l)
		}
		if len(annotations) > 0 {
			a := u.GetAnnotations()
			if a == nil {
				a = map[string]string{}
			}
			for k, v := range annotations {
				a[k] = v
			}
			u.SetAnnotations(a)
		}
		result = append(result, u.Object)
	}
	return result, nil
}

func readObjects(raw []byte) ([]client.Object, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var out []client.Object
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
	for {
		obj := map[string]any{}
		if err := dec.Decode(&obj); err != nil {
			if err == io.EOF {
				break
			}
			return nil, fmt.Errorf("vars-objects: %w", err)
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		switch u.GetKind() {
		case "ConfigMap":
			cm := &corev1.ConfigMap{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, cm); err != nil {
				return nil, err
			}
			out = append(out, cm)
		case "Secret":
			s := &corev1.Secret{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, s); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// copyTree copies the repository the way source-controller packs a GitRepository artifact: without the
// files its default exclusions and .sourceignore files drop.
func copyTree(src, dst, ignore string) error {
	src, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	domain := strings.Split(src, string(filepath.Separator))
	ps, err := sourceignore.LoadIgnorePatterns(src, domain)
	if err != nil {
		return err
	}
	if ignore != "" {
		ps = append(ps, sourceignore.ReadPatterns(strings.NewReader(ignore), domain)...)
	}
	matcher := sourceignore.NewDefaultMatcher(ps, domain)
	return filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel != "." && matcher.Match(strings.Split(path, string(filepath.Separator)), info.IsDir()) {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if info.IsDir() && info.Name() == "node_modules" {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
