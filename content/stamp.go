package content

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/rightsdesk/rightsdesk/content/guide"
)

var translatedFromLine = regexp.MustCompile(`(?m)^translated_from[ \t]*=.*$`)

// Stamp records, in each translated topic file, the hash of the English
// topic it now matches: a translator runs it after bringing a translation up
// to date, so the check stops calling it outdated. Files are paths like
// content/guide/ka/wages.md.
func Stamp(files []string) error {
	for _, f := range files {
		lang := filepath.Base(filepath.Dir(f))
		if lang == guide.SourceLanguage {
			return fmt.Errorf("%s: English topics are the source; only translations are stamped", f)
		}
		english := filepath.Join(filepath.Dir(filepath.Dir(f)), guide.SourceLanguage, filepath.Base(f))
		src, err := os.ReadFile(english)
		if err != nil {
			return fmt.Errorf("%s: no English original: %w", f, err)
		}
		body, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if !translatedFromLine.Match(body) {
			return fmt.Errorf("%s: no translated_from line in the front matter", f)
		}
		stamped := translatedFromLine.ReplaceAll(body, []byte(fmt.Sprintf("translated_from = %q", guide.Hash(src))))
		if err := os.WriteFile(f, stamped, 0o644); err != nil {
			return err
		}
	}
	return nil
}
