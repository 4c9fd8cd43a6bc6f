package store

import (
	"context"
	"time"
)

// Route statuses. A service that cannot yet receive cases through rightsdesk
// gets "contacts_given": the worker has its contacts and writes to it
// themselves. "declined" means the worker chose none of the services offered.
const (
	RouteContactsGiven = "contacts_given"
	RouteDeclined      = "declined"
	RouteSent          = "sent"
)

// CaseRoute is a worker's choice of where a case should go. ServiceID is
// empty for a decline. ConsentConsulate records that the worker agreed, by
// an explicit press, that their own state may see the case.
type CaseRoute struct {
	CaseID           string
	ChatID           int64
	ServiceID        string
	ChosenAt         time.Time
	ConsentConsulate bool
	Status           string
}

// RecordRoute stores a choice; choosing the same service again for the same
// case updates the time, the status and the consent, which can only be
// granted, never silently withdrawn by a later press.
func (tx *Tx) RecordRoute(r CaseRoute) error {
	if !ValidCaseID(r.CaseID) || r.ChatID == 0 {
		return Errorf(EINVALID, "a route needs a case id and a chat")
	}
	switch r.Status {
	case RouteContactsGiven, RouteDeclined, RouteSent:
	default:
		return Errorf(EINVALID, "unknown route status %q", r.Status)
	}
	_, err := tx.tx.Exec(`INSERT INTO case_routes (case_id, chat_id, service_id, chosen_at, consent_consulate, status)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id, service_id) DO UPDATE SET chosen_at = excluded.chosen_at, status = excluded.status,
		  consent_consulate = MAX(consent_consulate, excluded.consent_consulate)`,
		r.CaseID, r.ChatID, r.ServiceID, millis(tx.now), r.ConsentConsulate, r.Status)
	return err
}

// CaseRoutes lists the choices recorded for a case, oldest first.
func (db *DB) CaseRoutes(ctx context.Context, caseID string) ([]CaseRoute, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT case_id, chat_id, service_id, chosen_at, consent_consulate, status
		FROM case_routes WHERE case_id = ? ORDER BY chosen_at, service_id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseRoute
	for rows.Next() {
		var r CaseRoute
		var at int64
		if err := rows.Scan(&r.CaseID, &r.ChatID, &r.ServiceID, &at, &r.ConsentConsulate, &r.Status); err != nil {
			return nil, err
		}
		r.ChosenAt = fromMillis(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
