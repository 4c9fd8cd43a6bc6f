package fold

import "testing"

func TestKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Москва", "moskva"},
		{"Moskva", "moskva"},
		{"Bakı", "baki"},
		{"İstanbul", "istanbul"},
		{"ISTANBUL", "istanbul"},
		{"Chișinău", "cisinau"},
		{"Chişinău", "cisinau"},
		{"Кишинёв", "kisinev"},
		{"თბილისი", "tbilisi"},
		{"ქუთაისი", "kutaisi"},
		{"Алма-Ата", "almata"},
		{"Yekaterinburg", "ekaterinburg"},
		{"Екатеринбург", "ekaterinburg"},
		{"Қарағанды", "karagandi"},
		{"Київ", "kiv"},
		{"Kyiv", "kiv"},
		{"Gəncə", "ganca"},
		{"Şəki", "saki"},
		{"Tbilissi", "tbilisi"},
		{"東京", ""},
	}
	for _, c := range cases {
		if got := Key(c.in); got != c.want {
			t.Errorf("Key(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
