package db

// The check area's pure logic, exported for the PostgreSQL store (package
// db/postgres), whose check must word its problems as this one does.

import "strconv"

// CounterKeyText names the key of a counter row for a check problem,
// ending in ", ": `category "tech", ` for a key column, "" for a counter
// table without one (column ""). For column "topic_id" it names the topic
// by topicName(key), or by its id when topicName reports ok false (the
// topic is gone or the lookup failed).
func CounterKeyText(column, key string, topicName func(id string) (name string, ok bool)) string {
	switch column {
	case "":
		return ""
	case "topic_id":
		if name, ok := topicName(key); ok {
			return "topic " + strconv.Quote(name) + ", "
		}
		return "topic id " + key + ", "
	}
	return column + " " + strconv.Quote(key) + ", "
}
