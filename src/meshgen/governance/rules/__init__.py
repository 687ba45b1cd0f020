"""The built-in rules, one module per rule, named by its code. See docs/rules.md."""
