package store

// ExecForTest lets tests put the database into states the API never makes.
func (tx *Tx) ExecForTest(q string, args ...any) error {
	_, err := tx.tx.Exec(q, args...)
	return err
}
