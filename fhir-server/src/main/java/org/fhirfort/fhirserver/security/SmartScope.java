package org.fhirfort.fhirserver.security;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMART clinical scope: context ({@code patient/}, {@code user/}, {@code system/}), a resource type or
 * {@code *}, and the permissions it grants.
 *
 * <ul>
 *   <li>v1: {@code read} = read + search, {@code write} = create + update + delete, {@code *} = all.
 *   <li>v2: a non-empty subsequence of {@code cruds} in that order (c=create, r=read, u=update, d=delete,
 *       s=search).
 * </ul>
 *
 * Scopes with a query suffix (SMART v2 granular scopes such as {@code patient/Observation.rs?category=...})
 * are not supported and are ignored (never widened to the unrestricted scope). Anything else that is not a
 * clinical scope ({@code openid}, {@code fhirUser}, {@code launch/patient}, ...) is ignored as well.
 */
public record SmartScope(Context context, String resourceType, Set<Permission> permissions, String raw) {

	public enum Context {
		PATIENT,
		USER,
		SYSTEM
	}

	public enum Permission {
		CREATE('c'),
		READ('r'),
		UPDATE('u'),
		DELETE('d'),
		SEARCH('s');

		final char letter;

		Permission(char letter) {
			this.letter = letter;
		}
	}

	public static final String ANY_TYPE = "*";

	private static final Pattern SCOPE =
			Pattern.compile("^(patient|user|system)/(\\*|[A-Z][A-Za-z]{1,63})\\.([A-Za-z*]{1,5})$");
	private static final Pattern V2 = Pattern.compile("^c?r?u?d?s?$");

	public SmartScope {
		permissions = Collections.unmodifiableSet(EnumSet.copyOf(permissions));
	}

	public boolean appliesTo(String type) {
		return ANY_TYPE.equals(resourceType) || resourceType.equals(type);
	}

	public boolean grants(Permission p) {
		return permissions.contains(p);
	}

	/** Parses one scope token; empty for non-clinical or unsupported scopes. */
	public static Optional<SmartScope> parse(String token) {
		if (token == null) {
			return Optional.empty();
		}
		String t = token.trim();
		if (t.indexOf('?') >= 0) {
			return Optional.empty(); // granular v2 scope: not supported, not widened
		}
		Matcher m = SCOPE.matcher(t);
		if (!m.matches()) {
			return Optional.empty();
		}
		Context ctx = Context.valueOf(m.group(1).toUpperCase(Locale.ROOT));
		String type = m.group(2);
		String perm = m.group(3);
		EnumSet<Permission> perms;
		switch (perm) {
			case "read" -> perms = EnumSet.of(Permission.READ, Permission.SEARCH);
			case "write" -> perms = EnumSet.of(Permission.CREATE, Permission.UPDATE, Permission.DELETE);
			case "*" -> perms = EnumSet.allOf(Permission.class);
			default -> {
				if (perm.isEmpty() || !V2.matcher(perm).matches()) {
					return Optional.empty();
				}
				perms = EnumSet.noneOf(Permission.class);
				for (Permission p : Permission.values()) {
					if (perm.indexOf(p.letter) >= 0) {
						perms.add(p);
					}
				}
			}
		}
		return Optional.of(new SmartScope(ctx, type, perms, t));
	}

	/** Parses a space-separated scope string (the {@code scope} claim). */
	public static List<SmartScope> parseAll(String scopeClaim) {
		List<SmartScope> out = new ArrayList<>();
		if (scopeClaim == null || scopeClaim.isBlank()) {
			return out;
		}
		for (String token : scopeClaim.trim().split("\\s+")) {
			parse(token).ifPresent(out::add);
		}
		return out;
	}
}
