//go:build tools

// Package tools keeps k8s.io/kubernetes/cmd/kube-apiserver in this module's graph.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver/app"
