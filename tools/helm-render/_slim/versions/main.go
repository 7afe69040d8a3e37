// Command versions prints, as Go string literals one per line, the API versions Helm's
// pkg/chart/common.DefaultVersionSet holds in a native build: client-go's scheme with the
// apiextensions groups added, in the scheme's priority order. wasm-prepare.sh bakes them into the
// WebAssembly build, which leaves the scheme (and its registration of every built-in type) out.
package main

import (
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/client-go/kubernetes/scheme"
)

func main() {
	if err := apiextensionsv1beta1.AddToScheme(scheme.Scheme); err != nil {
		panic(err)
	}
	if err := apiextensionsv1.AddToScheme(scheme.Scheme); err != nil {
		panic(err)
	}
	for _, gv := range scheme.Scheme.PrioritizedVersionsAllGroups() {
		fmt.Printf("%q,\n", gv.String())
	}
}
