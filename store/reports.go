package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// CaseRecord is a case as reports see it: its countable facts, its
// deliveries, and — for an organisation's own export — the details that
// say nothing about who the worker is. Names, phones, employers, stories
// and Telegram ids never leave the store through it.
type CaseRecord struct {
	ID         string
	Status     string
	CreatedAt  time.Time
	Facts      *CaseFacts // nil once the worker erased the case
	Sector     string
	Since      string
	City       string
	Deliveries []Delivery // without their sealed notes
}

// CaseRecords lists cases for reports, oldest first: every case, or with a
// service id only the cases delivered to it, with only its deliveries.
func (db *DB) CaseRecords(ctx context.Context, serviceID string) ([]CaseRecord, error) {
	q := `SELECT id, status, created_at, facts, sealed FROM cases ORDER BY created_at, id`
	var args []any
	if serviceID != "" {
		q = `SELECT id, status, created_at, facts, sealed FROM cases
			WHERE id IN (SELECT case_id FROM deliveries WHERE service_id = ?) ORDER BY created_at, id`
		args = append(args, serviceID)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []CaseRecord
	for rows.Next() {
		var r CaseRecord
		var created int64
		var facts, sealed []byte
		if err := rows.Scan(&r.ID, &r.Status, &created, &facts, &sealed); err != nil {
			rows.Close()
			return nil, err
		}
		r.CreatedAt = fromMillis(created)
		if facts != nil {
			plain, err := db.sealer.Open(facts, factsPlace(r.ID))
			if err != nil {
				rows.Close()
				return nil, err
			}
			r.Facts = &CaseFacts{}
			if err := json.Unmarshal(plain, r.Facts); err != nil {
				rows.Close()
				return nil, Errorf(EINTERNAL, "case %s: unreadable facts: %v", r.ID, err)
			}
		}
		if sealed != nil {
			plain, err := db.sealer.Open(sealed, casePlace(r.ID))
			if err != nil {
				rows.Close()
				return nil, err
			}
			var d CaseDetails
			if err := json.Unmarshal(plain, &d); err == nil {
				r.Sector, r.Since = d.Sector, d.Since
				if d.Place != nil {
					r.City = d.Place.Name
				}
			}
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byCase := map[string]int{}
	for i, r := range out {
		byCase[r.ID] = i
	}
	dq := `SELECT id, case_id, service_id, chat_id, status, revision, assignee, asked, outcome, feedback, referred_to,
		created_at, taken_at, resolved_at, updated_at FROM deliveries ORDER BY id`
	var dargs []any
	if serviceID != "" {
		dq = `SELECT id, case_id, service_id, chat_id, status, revision, assignee, asked, outcome, feedback, referred_to,
			created_at, taken_at, resolved_at, updated_at FROM deliveries WHERE service_id = ? ORDER BY id`
		dargs = append(dargs, serviceID)
	}
	drows, err := db.read.QueryContext(ctx, dq, dargs...)
	if err != nil {
		return nil, err
	}
	defer drows.Close()
	for drows.Next() {
		var d Delivery
		var assignee, taken, resolved sql.NullInt64
		var created, updated int64
		if err := drows.Scan(&d.ID, &d.CaseID, &d.ServiceID, &d.ChatID, &d.Status, &d.Revision, &assignee, &d.Asked,
			&d.Outcome, &d.Feedback, &d.ReferredTo, &created, &taken, &resolved, &updated); err != nil {
			return nil, err
		}
		d.CreatedAt, d.UpdatedAt = fromMillis(created), fromMillis(updated)
		if taken.Valid {
			d.TakenAt = fromMillis(taken.Int64)
		}
		if resolved.Valid {
			d.ResolvedAt = fromMillis(resolved.Int64)
		}
		// The caseworker's Telegram id is not a report's business.
		d.ChatID = 0
		if i, ok := byCase[d.CaseID]; ok {
			out[i].Deliveries = append(out[i].Deliveries, d)
		}
	}
	return out, drows.Err()
}
