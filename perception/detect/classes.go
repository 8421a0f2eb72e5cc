package detect

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// ReadClassNames reads a Darknet-style names file: one class name per line, in class-index order.
// Surrounding white space is trimmed and trailing empty lines are ignored; an empty line before
// the last name, or a file with no names, is an error naming the file and line.
func ReadClassNames(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("detect: class names: %w", err)
	}
	return ParseClassNames(path, b)
}

// ParseClassNames parses the contents of a names file; path only labels errors.
func ParseClassNames(path string, b []byte) ([]string, error) {
	var names []string
	blank := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			if blank == 0 {
				blank = line
			}
			continue
		}
		if blank != 0 {
			return nil, fmt.Errorf("detect: class names %s: line %d is empty but more names follow", path, blank)
		}
		names = append(names, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("detect: class names %s: %w", path, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("detect: class names %s: no class names", path)
	}
	return names, nil
}

// DrivingClass is a class the rest of the stack reasons about.
type DrivingClass string

// The driving classes. COCO classes outside this list map to nothing.
const (
	Car          DrivingClass = "car"
	Truck        DrivingClass = "truck"
	Bus          DrivingClass = "bus"
	Motorcycle   DrivingClass = "motorcycle"
	Bicycle      DrivingClass = "bicycle"
	Person       DrivingClass = "person"
	TrafficLight DrivingClass = "traffic light"
	StopSign     DrivingClass = "stop sign"
)

// cocoToDriving maps COCO class names (both the Darknet spelling, "motorbike", and the COCO
// dataset's, "motorcycle") to driving classes.
var cocoToDriving = map[string]DrivingClass{
	"car":           Car,
	"truck":         Truck,
	"bus":           Bus,
	"motorbike":     Motorcycle,
	"motorcycle":    Motorcycle,
	"bicycle":       Bicycle,
	"person":        Person,
	"traffic light": TrafficLight,
	"stop sign":     StopSign,
}

// DrivingClassOf maps a COCO class name to its driving class; ok is false for classes the stack
// ignores (e.g. "dog", "cup").
func DrivingClassOf(cocoName string) (c DrivingClass, ok bool) {
	c, ok = cocoToDriving[strings.ToLower(strings.TrimSpace(cocoName))]
	return c, ok
}

// ClassMap maps class indices of a model to driving classes; entries are "" for ignored classes.
func ClassMap(names []string) []DrivingClass {
	m := make([]DrivingClass, len(names))
	for i, n := range names {
		m[i], _ = DrivingClassOf(n)
	}
	return m
}
