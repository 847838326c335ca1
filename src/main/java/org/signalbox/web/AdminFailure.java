package org.signalbox.web;

/** A request the admin API refuses, with the answer that says why. */
final class AdminFailure extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient AdminAnswer answer;

  AdminFailure(AdminAnswer answer) {
    super(answer.body(), null, false, false);
    this.answer = answer;
  }

  static AdminFailure of(int status, String code, String message) {
    return new AdminFailure(AdminAnswer.error(status, code, message));
  }

  AdminAnswer answer() {
    return answer;
  }
}
