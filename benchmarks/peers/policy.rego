# The peer benchmark policy (BENCHMARK.md) in Rego: `allow` is the bundle's
# entry point (policy/allow); default deny, deny overrides permit.
package policy

special := {"health", "biometric"}

content := {"chat", "audio", "video"}

service := {"telemetry", "diagnostics"}

default allow := false

allow if {
	permit
	not deny
}

# 1. Anywhere: a person who opted out is never used for ai_training.
deny if {
	input.purpose == "ai_training"
	input.opted_out
}

# 2. EU: health and biometric data only with explicit consent.
permit if {
	input.region == "EU"
	special[input.data]
	input.explicit
}

# 3. EU: chat, audio and video; for ai_training the consent must not be bundled.
permit if {
	input.region == "EU"
	content[input.data]
	input.explicit
	input.purpose != "ai_training"
}

permit if {
	input.region == "EU"
	content[input.data]
	input.explicit
	not input.bundled
}

# 4. EU: telemetry and diagnostics unless the person opted out.
permit if {
	input.region == "EU"
	service[input.data]
	not input.opted_out
}

# 5. US-CA: health only with explicit consent and no opt-out.
permit if {
	input.region == "US-CA"
	input.data == "health"
	input.explicit
	not input.opted_out
}

# 6. US-CA: everything else unless the person opted out.
permit if {
	input.region == "US-CA"
	input.data != "health"
	not input.opted_out
}

# 7. BR: health and biometric only with explicit consent and no opt-out.
permit if {
	input.region == "BR"
	special[input.data]
	input.explicit
	not input.opted_out
}

# 8. BR: ai_training of other data only with explicit consent.
permit if {
	input.region == "BR"
	not special[input.data]
	input.purpose == "ai_training"
	input.explicit
}

# 9. BR: everything else unless the person opted out.
permit if {
	input.region == "BR"
	not special[input.data]
	input.purpose != "ai_training"
	not input.opted_out
}

# 10. CN and JP: nothing is permitted (the default).
