"""Writing OpenStack-style ini files from plain dicts."""

from dvr_lab import private_files


def render(sections):
    """{'section': {'key': value}} -> ini text; lists are comma-joined."""
    out = []
    for section, options in sections.items():
        out.append('[%s]' % section)
        for key, value in options.items():
            if value is None:
                continue
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            elif isinstance(value, (list, tuple)):
                value = ','.join(str(v) for v in value)
            out.append('%s = %s' % (key, value))
        out.append('')
    return '\n'.join(out)


def write(path, sections):
    """Write sections to path, 0600: OpenStack configs hold passwords."""
    return private_files.write(path, render(sections))
