/* make bench's libical baseline: icalparser_parse_string over a whole .ics file, as eventd
 * hands an import to libical. Prints the milliseconds of the parse alone (the file is read
 * first) and the VEVENTs found, so a bench can check the parse saw every event.
 *
 *     ical-parse FILE [ROUNDS]    one line per round: "<ms> <vevents>"
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: ical-parse FILE [ROUNDS]\n"); return 64; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 66; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *text = malloc(size + 1);
    if (fread(text, 1, size, f) != (size_t)size) { perror(argv[1]); return 66; }
    text[size] = 0;
    fclose(f);
    icalerror_set_errors_are_fatal(0);
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    for (int r = 0; r < rounds; r++) {
        double start = now_ms();
        icalcomponent *calendar = icalparser_parse_string(text);
        double elapsed = now_ms() - start;
        if (!calendar) { fprintf(stderr, "libical could not parse %s\n", argv[1]); return 65; }
        int vevents = icalcomponent_count_components(calendar, ICAL_VEVENT_COMPONENT);
        printf("%.3f %d\n", elapsed, vevents);
        icalcomponent_free(calendar);
    }
    free(text);
    return 0;
}
