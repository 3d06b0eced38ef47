package article

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// checkTree walks the node tree the way yaml.v3 walks it when it decodes
// into Go values, counting every node an alias expands to, and refuses what
// that decoding would refuse: duplicate keys, aliases that contain
// themselves, merge keys without a mapping, list or mapping keys, and
// excessive aliasing. The count uses yaml.v3's own limit, so a file Parse
// accepts decodes elsewhere too, and an alias bomb is stopped after a few
// thousand steps instead of expanding.
//
// Parsing into yaml.Node expands nothing, and Node.Decode on a field only
// counts that field, so this walk is what protects the whole front matter.
func checkTree(top *yaml.Node) error {
	w := walker{}
	w.visit(top)
	return w.err
}

type walker struct {
	decodes, aliased, depth int
	active                  map[*yaml.Node]bool // aliases being expanded
	err                     error
}

func (w *walker) visit(n *yaml.Node) {
	if w.err != nil {
		return
	}
	w.decodes++
	if w.depth > 0 {
		w.aliased++
	}
	if w.aliased > 100 && w.decodes > 1000 && float64(w.aliased)/float64(w.decodes) > allowedAliasRatio(w.decodes) {
		w.err = nodeErr(n, "too much alias expansion (an alias bomb?)")
		return
	}
	switch n.Kind {
	case yaml.AliasNode:
		w.alias(n)
	case yaml.MappingNode:
		if w.depth == 0 { // nodes reached through an alias were checked where they stand
			if err := checkMapping(n); err != nil {
				w.err = err
				return
			}
		}
		w.children(n)
	case yaml.SequenceNode, yaml.DocumentNode:
		w.children(n)
	}
}

func (w *walker) children(n *yaml.Node) {
	for _, c := range n.Content {
		w.visit(c)
	}
}

func (w *walker) alias(n *yaml.Node) {
	if n.Alias == nil {
		w.err = nodeErr(n, "alias *%s has no anchor", n.Value)
		return
	}
	if w.active[n] {
		w.err = nodeErr(n, "anchor &%s contains an alias to itself", n.Value)
		return
	}
	if w.active == nil {
		w.active = make(map[*yaml.Node]bool)
	}
	w.active[n] = true
	w.depth++
	w.visit(n.Alias)
	w.depth--
	delete(w.active, n)
}

// allowedAliasRatio is yaml.v3's limit (decode.go), copied so both agree.
func allowedAliasRatio(decodes int) float64 {
	const low, high = 400000, 4000000
	switch {
	case decodes <= low:
		return 0.99
	case decodes >= high:
		return 0.10
	}
	return 0.99 - 0.89*(float64(decodes-low)/float64(high-low))
}

// smallMapping is the size up to which comparing every key pair is cheaper
// than a map.
const smallMapping = 32

func checkMapping(m *yaml.Node) *fmError {
	n := len(m.Content) / 2
	var seen map[string]*yaml.Node
	if n > smallMapping {
		seen = make(map[string]*yaml.Node, n)
	}
	for i := 0; i < 2*n; i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if err := checkKey(k, v); err != nil {
			return err
		}
		// yaml.v3 calls keys equal when kind and text match; so does this.
		if seen != nil {
			id := fmt.Sprint(k.Kind, ":", k.Value)
			if prev := seen[id]; prev != nil {
				return dupKey(k, prev)
			}
			seen[id] = k
			continue
		}
		for j := 0; j < i; j += 2 {
			if prev := m.Content[j]; prev.Kind == k.Kind && prev.Value == k.Value {
				return dupKey(k, prev)
			}
		}
	}
	return nil
}

func dupKey(k, prev *yaml.Node) *fmError {
	return nodeErr(k, "duplicate key %q (first at line %d)", k.Value, prev.Line+fmLineOffset)
}

func checkKey(k, v *yaml.Node) *fmError {
	if dk := deref(k); dk != nil && (dk.Kind == yaml.MappingNode || dk.Kind == yaml.SequenceNode) {
		return nodeErr(k, "a key must be a scalar, got %s", describe(dk))
	}
	if !isMerge(k) {
		return nil
	}
	srcs := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		srcs = v.Content
	}
	for _, s := range srcs {
		if d := deref(s); d == nil || d.Kind != yaml.MappingNode {
			return nodeErr(k, "merge key << needs a mapping or a list of mappings")
		}
	}
	return nil
}
