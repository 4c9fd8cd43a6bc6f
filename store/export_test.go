package store

// ExecForTest lets tests put the database into states the API never makes.
func (tx *Tx) ExecForTest(q string, args ...any) error {
	_, err := tx.tx.Exec(q, args...)
	tx.changes = append(tx.changes, change{kind: changeEverything})
	return err
}
