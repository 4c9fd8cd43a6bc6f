package content

import "embed"

// FS holds the content shipped inside the binary, rooted at the content
// directory: guide/<lang>/*.md, directory/<cc>/*.toml, countries/*.toml and
// the reference notes that citations are checked against. The patterns name
// data files only, since the Go packages that read them live beside them.
// (The gazetteer embeds its own data.)
//
//go:embed guide/*/*.md directory/*/*.toml countries/*.toml reference/*.md glossary/*.toml demo/*.toml
var FS embed.FS
