// Command flux-build is a test oracle for @homeops/manifests: it builds one Flux Kustomization the way
// kustomize-controller does, with the library the controller uses (github.com/fluxcd/pkg/kustomize):
// generate/patch kustomization.yaml from the Kustomization spec, kustomize build, postBuild substitution
// (ConfigMaps/Secrets for substituteFrom come from --vars-objects through a fake client), commonMetadata.
//
// Usage: flux-build --root <repo> --kustomization <ks.yaml> [--vars-objects <objs.yaml>]
// [--source-ignore <patterns file>] [--strict=true]
// Prints a JSON array of the built objects on stdout; on a build error prints the error on stderr and
// exits 1; bad usage exits 2.
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
	flag.Parse()
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
	objs, err := readObjects(varsFile)
	if err != nil {
		return nil, err
	}

	tmp, err := os.MkdirTemp("", "flux-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ignore := ""
	if ignoreFile != "" {
		data, err := os.ReadFile(ignoreFile)
		if err != nil {
			return nil, err
		}
		ignore = string(data)
	}
	if err := copyTree(root, tmp, ignore); err != nil {
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
	if _, err := gen.WriteFile(dirPath, kustomize.WithSaveOriginalKustomization()); err != nil {
		return nil, fmt.Errorf("kustomize create failed: %w", err)
	}
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
	return json.MarshalIndent(result, "", "  ")
}

func readObjects(file string) ([]client.Object, error) {
	if file == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
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
