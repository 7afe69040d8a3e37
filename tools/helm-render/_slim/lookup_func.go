// The WebAssembly build's stand-in for Helm's pkg/engine/lookup_func.go (wasm-overlay maps it over that
// file; the native oracle compiles Helm's own). helm-render renders client-side, as `helm template` does:
// it never gives the engine a cluster connection, so Helm installs no lookup of its own and the
// template function keeps its offline default (an empty map). This file keeps the package's API (the
// types engine.go names) without client-go's discovery client, which links client-go's scheme: every
// built-in Kubernetes type, registered at start-up.
package engine

import (
	"context"
	"errors"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

type lookupFunc = func(apiversion, resource, namespace, name string) (map[string]any, error)

// errNoCluster is what a lookup through a cluster connection would give here.
var errNoCluster = errors.New("helm-render (WebAssembly): no cluster connection; lookup is client-side only")

// NewLookupFunction returns a lookup that always fails: this build has no cluster client.
func NewLookupFunction(config *rest.Config) lookupFunc { //nolint:revive
	return newLookupFunction(context.Background(), clientProviderFromConfig{config: config})
}

// ClientProvider is Helm's interface for the clients a lookup uses.
type ClientProvider interface {
	GetClientFor(apiVersion, kind string) (dynamic.NamespaceableResourceInterface, bool, error)
}

type clientProviderFromConfig struct {
	config *rest.Config
}

func (c clientProviderFromConfig) GetClientFor(string, string) (dynamic.NamespaceableResourceInterface, bool, error) {
	return nil, false, errNoCluster
}

func newLookupFunction(_ context.Context, clientProvider ClientProvider) lookupFunc {
	return func(apiversion, kind, _, _ string) (map[string]any, error) {
		_, _, err := clientProvider.GetClientFor(apiversion, kind)
		return map[string]any{}, err
	}
}
