// Package engine is Helm's pkg/engine (helm.sh/helm/v4, the version in go.mod) plus this file:
// scripts/build-oracles.sh compiles Helm's own files, unchanged, into this directory with
// `go build -overlay` (see ../../overlay), because this file needs the package's unexported helpers.
// It is Helm's render() with one change: an identical template set is parsed once, not per render.
package engine

import (
	"context"
	"fmt"
	"path"
	"strings"
	"text/template"

	ci "helm.sh/helm/v4/pkg/chart"
	"helm.sh/helm/v4/pkg/chart/common"
)

// TemplateCache holds parsed template sets, keyed by every template's name and text. It belongs to
// one Engine configuration (Strict, LintMode, EnableDNS, CustomTemplateFuncs, client): the parsed
// set carries the function map it was parsed with.
type TemplateCache struct {
	parsed map[string]*template.Template
}

// NewTemplateCache returns an empty cache.
func NewTemplateCache() *TemplateCache {
	return &TemplateCache{parsed: map[string]*template.Template{}}
}

// RenderCached is RenderWithContext for a caller that renders the same chart many times: the parse
// of an identical template set is reused (a clone of it, with include and tpl bound to the clone
// and a fresh recursion count, as initFunMap binds them), the execution is render()'s. And `tpl`
// of a text without actions returns the text (plainTplFun) instead of cloning every template.
func (e Engine) RenderCached(ctx context.Context, cache *TemplateCache, chrt ci.Charter, values common.Values) (rendered map[string]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rendering template failed: %v", r)
		}
	}()
	tpls := allTemplates(chrt, values)
	keys := sortTemplates(tpls)

	var id strings.Builder
	for _, filename := range keys {
		id.WriteString(filename)
		id.WriteByte(0)
		id.WriteString(tpls[filename].tpl)
		id.WriteByte(0)
	}
	base, ok := cache.parsed[id.String()]
	if !ok {
		base = template.New("gotpl")
		e.setMissingKey(base)
		e.initFunMap(ctx, base)
		for _, filename := range keys {
			if _, err := base.New(filename).Parse(tpls[filename].tpl); err != nil {
				return map[string]string{}, cleanupParseError(filename, err)
			}
		}
		cache.parsed[id.String()] = base
	}
	t, err := base.Clone()
	if err != nil {
		return map[string]string{}, err
	}
	e.setMissingKey(t)
	includedNames := make(map[string]int)
	t.Funcs(template.FuncMap{
		"include": includeFun(t, includedNames),
		"tpl":     plainTplFun(tplFun(t, includedNames, e.Strict)),
	})

	rendered = make(map[string]string, len(keys))
	for _, filename := range keys {
		if strings.HasPrefix(path.Base(filename), "_") {
			continue
		}
		vals := tpls[filename].vals
		vals["Template"] = common.Values{"Name": filename, "BasePath": tpls[filename].basePath}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, filename, vals); err != nil {
			return map[string]string{}, reformatExecErrorMsg(filename, err)
		}
		rendered[filename] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return rendered, nil
}

func (e Engine) setMissingKey(t *template.Template) {
	if e.Strict {
		t.Option("missingkey=error")
	} else {
		t.Option("missingkey=zero")
	}
}

// plainTplFun answers `tpl` of a text without "{{" (so without actions; not blank, which Helm's tpl
// treats as an empty template) as tplFun would, without its clone of the whole template set: such
// a text parses to one text node, which executes to itself. Charts like app-template pass most
// values through tpl, and the clone was a quarter of a render.
func plainTplFun(tpl func(string, any) (string, error)) func(string, any) (string, error) {
	return func(text string, vals any) (string, error) {
		if !strings.Contains(text, "{{") && strings.TrimSpace(text) != "" {
			return strings.ReplaceAll(text, "<no value>", ""), nil
		}
		return tpl(text, vals)
	}
}
