// Package static embeds the CSS, JavaScript and vendored files and serves
// them under content-hashed URLs, so browsers may cache them for a year and
// still never see a stale copy after a deploy.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
)

//go:embed css js vendor favicon.svg favicon.ico
var files embed.FS

// Prefix is where the assets are mounted.
const Prefix = "/static/"

// Asset is one embedded file under its hashed name.
type Asset struct {
	Name        string // logical name, e.g. "css/base.css"
	HashedName  string // e.g. "css/base.3f2a1c9d0b7e.css"
	Data        []byte
	ContentType string
}

// assets maps logical and hashed names to files; built once at start-up and
// never written after, so it is safe for concurrent use.
var assets, byHash = load()

func load() (map[string]*Asset, map[string]*Asset) {
	byName, byHashed := map[string]*Asset{}, map[string]*Asset{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(p)
		a := &Asset{
			Name:        p,
			HashedName:  strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:6]) + ext,
			Data:        data,
			ContentType: contentType(ext),
		}
		byName[p], byHashed[a.HashedName] = a, a
		return nil
	})
	if err != nil {
		panic("static: embedded files unreadable: " + err.Error()) // cannot happen with go:embed
	}
	return byName, byHashed
}

func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/vnd.microsoft.icon"
	}
	return "application/octet-stream"
}

// URL is the hashed URL of a logical asset name. An unknown name is a
// programming error, caught by the tests that render every page.
func URL(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("static: no asset " + name)
	}
	return Prefix + a.HashedName
}

// Get finds an asset by its logical name, for the few files that must
// also answer at a fixed address (GET /favicon.ico).
func Get(name string) (*Asset, bool) {
	a, ok := assets[name]
	return a, ok
}

// Lookup finds an asset by its hashed name (the part after Prefix).
func Lookup(hashedName string) (*Asset, bool) {
	a, ok := byHash[hashedName]
	return a, ok
}
