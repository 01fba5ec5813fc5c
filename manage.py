#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    from django.core.management import execute_from_command_line

    from hearth.env import one_line_configuration_errors

    with one_line_configuration_errors():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
