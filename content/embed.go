package content

import "embed"

// FS holds all content shipped inside the binary, rooted at the content
// directory: guide/<lang>/*.md, directory/, countries/, gazetteer/ and the
// reference notes that citations are checked against.
//
//go:embed guide directory countries gazetteer reference
var FS embed.FS
