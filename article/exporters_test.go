package article

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirExporter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out dir")
	d, err := NewDirExporter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Add("a.md", []byte("---\ntitle: A\n---\n")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, want string }{
		{"a.md", "two articles want the file name a.md"},
		{"../x.md", "unsafe file name"},
		{"sub/x.md", "unsafe file name"},
		{"..", "unsafe file name"},
		{"", "unsafe file name"},
	}
	for _, tt := range tests {
		if err := d.Add(tt.name, []byte("x")); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Add(%q) = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "a.md" {
		t.Fatalf("export folder holds %v, want only a.md", entries)
	}
	// The pipeline reads the export, often as another user: the files must
	// not keep the owner-only mode of their temporary files.
	info, err := entries[0].Info()
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o644 {
		t.Errorf("exported file mode %v, want -rw-r--r--", perm)
	}
}
