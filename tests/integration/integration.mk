# The integration tier's helper programs, built with `all` so that the
# tier finds them beside qrgated: ptyfeed, a serial scanner on a pty
# (tests/integration/test_readers.sh).

PTYFEED := $(BUILD)/ptyfeed

all: $(PTYFEED)

$(PTYFEED): tests/integration/ptyfeed.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(QG_CFLAGS)) $(CFLAGS) $(LDFLAGS) -o $@ $<
