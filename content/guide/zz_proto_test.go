package guide

import (
	"fmt"
	"regexp"
	"testing"
)

var protoCite = regexp.MustCompile(`\b(C\d{2,3}|P29|ICRMW|Palermo|GP|Dhaka)\b([^\d]{0,30}?)(\d+)`)

func TestProto(t *testing.T) {
	g, _ := Load(contentDir, "guide")
	g.each(func(e *entry) {
		if e.topic.Lang == "en" {
			return
		}
		for _, m := range protoCite.FindAllStringSubmatch(e.topic.Body, -1) {
			fmt.Printf("%s/%s\t%s\t%q\t%s\n", e.topic.Lang, e.topic.ID, m[1], m[2], m[3])
		}
	})
}
