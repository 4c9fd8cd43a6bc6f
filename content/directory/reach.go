package directory

import (
	"slices"
	"strings"
)

// Anywhere is the reach of a contact that works from every country: an
// international number, an email address, a website.
const Anywhere = "*"

// Reach says where a phone number can be dialled from: Anywhere for a full
// international number, the country for a short code or a national form,
// and "" for a number printed without its area code, which no worker can be
// sure to reach.
func (p Phone) Reach() string {
	switch {
	case p.Format != PhoneFormatAsGiven:
		return Anywhere
	case p.AreaCodeMissing:
		return ""
	}
	return strings.ToUpper(p.DialFrom)
}

// DialableFrom reports whether a worker in country (ISO code) can dial the
// number. An unknown country ("") can dial only an international number.
func (p Phone) DialableFrom(country string) bool {
	r := p.Reach()
	return r == Anywhere || r != "" && strings.EqualFold(r, country)
}

// Reach lists where a worker can be to use at least one of the service's
// contacts: Anywhere, and the countries of its short or national numbers
// and of its address. Empty means no contact a worker can use, and such a
// service is never offered (see Offered).
func (s Service) Reach() []string {
	var out []string
	add := func(where string) {
		if where != "" && !slices.Contains(out, where) {
			out = append(out, where)
		}
	}
	for _, p := range s.Phones {
		add(p.Reach())
	}
	if len(s.Emails) > 0 || len(s.Websites) > 0 {
		add(Anywhere)
	}
	if s.Address != nil && !s.Address.Text.Empty() {
		// An address helps whoever can get there: someone in its country.
		add(strings.ToUpper(s.Country))
	}
	return out
}

// ReachableFrom reports whether a worker in country can use one of the
// service's contacts. For an unknown country any contact counts: the bot
// then labels each number with where it works.
func (s Service) ReachableFrom(country string) bool {
	return Reachable(s.Reach(), country)
}

// Reachable applies a reach list (Service.Reach) to where a worker is.
func Reachable(reach []string, country string) bool {
	if country == "" {
		return len(reach) > 0
	}
	for _, r := range reach {
		if r == Anywhere || strings.EqualFold(r, country) {
			return true
		}
	}
	return false
}

// Offered reports whether the service may be shown to workers at all: not
// withheld by an editor, and with at least one usable contact (or, desk
// only, reached through its desk while linked). It is the
// one rule routing, "help near me" and the hotline lists share.
func (s Service) Offered() bool {
	return !s.Withheld && (len(s.Reach()) > 0 || s.DeskOnly)
}

// Empty reports whether no name is written in any language.
func (n Names) Empty() bool { return n.Original == "" && n.Texts.Empty() }
